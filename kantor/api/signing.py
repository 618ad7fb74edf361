"""Request signatures (API-2), as the Walutomat reference defines them.

The client signs ``timestamp + path + body`` with its RSA private key
(RSA-SHA256, PKCS#1 v1.5) and sends the base64 signature in
``X-API-Signature`` and the timestamp in ``X-API-Timestamp``:

* ``timestamp`` is the header's text exactly as sent;
* ``path`` is the request path with the query string exactly as sent
  (``/api/v2.0.0/account/history?currencies=PLN,EUR``); a POST normally has no
  query string, and if it has one it is signed like a GET's;
* ``body`` is the raw request body (the form-encoded parameters of a POST,
  empty for a GET).

A signature is valid while its timestamp is within
``KANTOR_API_TIMESTAMP_TOLERANCE_SECONDS`` of the server clock, and only once:
each verified signature is recorded (``UsedSignature``) and a replay is
refused. Two requests signed with the same key, timestamp, path and body have
the same signature (PKCS#1 v1.5 is deterministic): a client that signs twice
within one second must send millisecond timestamps.

Recording a signature is a write of its own (one transaction), except where
an endpoint defers it (``defer=True``): the order gateway
(``kantor.api.gateway``) records the signatures of a whole group of requests
in the group's transaction. A deferred signature is still recorded before
the operation runs on the one-request path, and in every other case when
the request's answer is ready (``consume_pending``, from the API's view
wrapper), so a signature is spent whatever became of its request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from .errors import ApiError, ErrorKey
from .formats import parse_ts
from .keys import InvalidPublicKey, load_public_key
from .models import UsedSignature

__all__ = [
    "SignatureUse",
    "consume",
    "consume_pending",
    "signed_message",
    "take_pending",
    "tolerance",
    "verify_request_signature",
]

SIGNATURE_HEADER = "X-API-Signature"
TIMESTAMP_HEADER = "X-API-Timestamp"


def tolerance() -> timedelta:
    return timedelta(seconds=settings.KANTOR_API_TIMESTAMP_TOLERANCE_SECONDS)


def signed_message(request: HttpRequest, timestamp: str) -> bytes:
    """The bytes the client signed (module docstring)."""
    target = request.path
    query = request.META.get("QUERY_STRING", "")
    if query:
        target = f"{target}?{query}"
    return timestamp.encode() + target.encode() + request.body


@dataclass(frozen=True, slots=True)
class SignatureUse:
    """A verified signature, to be recorded as used (``UsedSignature``)."""

    digest: str
    signed_at: datetime
    api_key_id: int

    def as_row(self) -> UsedSignature:
        return UsedSignature(
            signature_hash=self.digest, timestamp=self.signed_at, api_key_id=self.api_key_id
        )


def verify_request_signature(
    request: HttpRequest, api_key, signature: str, *, defer: bool = False
) -> datetime:
    """Verify ``signature`` for this request and consume it; return its timestamp.

    ``defer``: verify only, and leave the signature pending on the request
    (``take_pending``/``consume_pending``; module docstring).

    Raises ``ApiError``: MISSING_PUBLIC_KEY when the key has no usable public
    key, INVALID_SIGNATURE when the timestamp is missing, malformed, expired or
    not yet valid, the signature does not verify, or it was used before.
    """
    if not api_key.public_key_pem.strip():
        raise ApiError(
            ErrorKey.MISSING_PUBLIC_KEY,
            "No public key is registered for this API key; upload one in the panel.",
        )
    try:
        public_key = load_public_key(api_key.public_key_pem)
    except InvalidPublicKey as exc:
        raise ApiError(
            ErrorKey.MISSING_PUBLIC_KEY, f"The registered public key cannot be used: {exc}."
        ) from exc

    timestamp_text = request.headers.get(TIMESTAMP_HEADER, "")
    signed_at = _check_timestamp(timestamp_text)

    try:
        raw_signature = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(
            ErrorKey.INVALID_SIGNATURE,
            "X-API-Signature is not valid base64.",
            {"header": SIGNATURE_HEADER},
        ) from exc
    try:
        public_key.verify(
            raw_signature,
            signed_message(request, timestamp_text),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature as exc:
        raise ApiError(
            ErrorKey.INVALID_SIGNATURE,
            "The signature does not match timestamp + path + body signed with the "
            "private key of this API key.",
            {"header": SIGNATURE_HEADER},
        ) from exc
    use = SignatureUse(hashlib.sha256(raw_signature).hexdigest(), signed_at, api_key.pk)
    if defer:
        request.kantor_signature = use  # type: ignore[attr-defined]
    else:
        consume(use)
    return signed_at


def _check_timestamp(text: str) -> datetime:
    if not text.strip():
        raise ApiError(
            ErrorKey.INVALID_SIGNATURE,
            "A signed request needs X-API-Timestamp (UTC ISO 8601).",
            {"header": TIMESTAMP_HEADER},
        )
    try:
        signed_at = parse_ts(text)
    except ValueError as exc:
        raise ApiError(
            ErrorKey.INVALID_SIGNATURE,
            "X-API-Timestamp is not a UTC ISO 8601 date-time, e.g. 2018-03-27T09:58:06Z.",
            {"header": TIMESTAMP_HEADER, "value": text[:64]},
        ) from exc
    now = timezone.now()
    window = tolerance()
    if signed_at < now - window:
        raise ApiError(
            ErrorKey.INVALID_SIGNATURE,
            "The signature has expired: X-API-Timestamp {timestamp} is more than "
            "{toleranceSeconds} seconds in the past.",
            _timestamp_data(text, window),
        )
    if signed_at > now + window:
        raise ApiError(
            ErrorKey.INVALID_SIGNATURE,
            "The signature is not yet valid: X-API-Timestamp {timestamp} is more than "
            "{toleranceSeconds} seconds in the future.",
            _timestamp_data(text, window),
        )
    return signed_at


def _timestamp_data(text: str, window: timedelta) -> dict[str, str]:
    return {"timestamp": text[:64], "toleranceSeconds": str(int(window.total_seconds()))}


def take_pending(request: HttpRequest) -> SignatureUse | None:
    """The request's deferred signature, now the caller's to record."""
    return request.__dict__.pop("kantor_signature", None)


def consume_pending(request: HttpRequest) -> None:
    """Record the request's deferred signature, if any (``consume``)."""
    use = take_pending(request)
    if use is not None:
        consume(use)


def consume(use: SignatureUse) -> None:
    """Record the signature; refuse it if it was recorded before (a replay).

    The row is committed at once (not in the endpoint's transaction): a
    signature is spent even when the operation it carried is refused.
    """
    try:
        with transaction.atomic():
            use.as_row().save(force_insert=True)
    except IntegrityError as exc:
        raise ApiError(
            ErrorKey.INVALID_SIGNATURE,
            "The signature was already used: a replayed request is refused. "
            "Sign each request anew with a fresh X-API-Timestamp.",
            {"header": SIGNATURE_HEADER},
        ) from exc
