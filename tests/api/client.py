"""A Walutomat API client for tests: signs requests as the reference's shell
examples do (``timestamp + endpoint + params``, RSA-SHA256, PKCS#1 v1.5,
base64) with a real RSA key, and sends them through Django's test client.

    client = ApiClient(raw_key, private_key)
    client.get("/api/v2.0.0/account/history", {"currencies": "PLN,EUR"})
    client.post("/api/v2.0.0/direct_fx/exchanges", {"dryRun": "true", ...}, sign=False)

Later endpoints' tests reuse it (and ``make_api_key`` for the key row).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.test import Client

from kantor.api.keys import new_key_material
from kantor.customers.models import ApiKey, ApiRole

__all__ = ["ApiClient", "make_api_key", "public_pem", "rsa_key", "sign", "timestamp"]

ALL_ROLES = tuple(ApiRole.values)


@cache
def rsa_key(slot: int = 0) -> rsa.RSAPrivateKey:
    """A real RSA key, generated once per test session per slot (2048 bits: fast)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(private_key: rsa.RSAPrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(private_key: rsa.RSAPrivateKey, message: str | bytes) -> str:
    data = message.encode() if isinstance(message, str) else message
    return base64.b64encode(private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def timestamp(moment: datetime | None = None, *, millis: bool = False) -> str:
    """``date -u +"%Y-%m-%dT%H:%M:%SZ"``, or with milliseconds."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_api_key(
    customer,
    roles: Iterable[str] = ALL_ROLES,
    *,
    private_key: rsa.RSAPrivateKey | None = None,
    with_public_key: bool = True,
) -> tuple[ApiKey, str]:
    """An ``ApiKey`` row as the customers app stores it; returns it with the raw key."""
    material = new_key_material()
    api_key = ApiKey.objects.create(
        customer=customer,
        prefix=material.prefix,
        key_hash=material.key_hash,
        key_encrypted=material.key_encrypted,
        public_key_pem=public_pem(private_key or rsa_key()) if with_public_key else "",
        roles=[str(r) for r in roles],
    )
    return api_key, material.key


class ApiClient:
    def __init__(
        self,
        key: str | None,
        private_key: rsa.RSAPrivateKey | None = None,
        *,
        django_client: Client | None = None,
    ):
        self.key = key
        self.private_key = private_key or rsa_key()
        self.client = django_client or Client()
        self._last_ts: datetime | None = None

    def _fresh_timestamp(self) -> str:
        """Millisecond timestamps, strictly increasing: every signature is new."""
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if self._last_ts is not None and now <= self._last_ts:
            now = self._last_ts + timedelta(milliseconds=1)
        self._last_ts = now
        return timestamp(now, millis=True)

    def headers(
        self, target: str, body: str, *, sign_it: bool, ts: str | None, signature: str | None
    ) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.key is not None:
            headers["X-API-Key"] = self.key
        if sign_it or signature is not None:
            ts = ts or self._fresh_timestamp()
            headers["X-API-Timestamp"] = ts
            headers["X-API-Signature"] = signature or sign(self.private_key, ts + target + body)
        elif ts is not None:
            headers["X-API-Timestamp"] = ts
        return headers

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | str | None = None,
        *,
        sign: bool = True,
        ts: str | None = None,
        signature: str | None = None,
        method: str = "GET",
    ) -> dict[str, Any]:
        query = params if isinstance(params, str) else _encode(params or {})
        target = f"{path}?{query}" if query else path
        headers = self.headers(target, "", sign_it=sign, ts=ts, signature=signature)
        response = self.client.generic(method, target, headers=headers, secure=True)
        return _json(response)

    def post(
        self,
        path: str,
        data: Mapping[str, Any] | str | None = None,
        *,
        sign: bool = True,
        ts: str | None = None,
        signature: str | None = None,
    ) -> dict[str, Any]:
        body = data if isinstance(data, str) else _encode(data or {})
        headers = self.headers(path, body, sign_it=sign, ts=ts, signature=signature)
        response = self.client.generic(
            "POST",
            path,
            body,
            content_type="application/x-www-form-urlencoded",
            headers=headers,
            secure=True,
        )
        return _json(response)


def _encode(params: Mapping[str, Any]) -> str:
    # Commas stay literal, as in the reference's "currencies=PLN,EUR".
    return urlencode({k: str(v) for k, v in params.items()}, safe=",:", quote_via=quote)


def _json(response) -> dict[str, Any]:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()
