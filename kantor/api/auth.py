"""Who is calling (API-2): API key, request signature, customer status, roles.

Every endpoint declares its access with ``secured(...)`` (or ``public()``)::

    @router.get("/account/balances", response=..., **secured(READ))
    @router.post("/direct_fx/exchanges", response=...,
                 **secured(ApiRole.ADMIN, ApiRole.DIRECT_FX,
                           signature=Signature.UNLESS_DRY_RUN, submitting=True))

Checks, in this order, each answered with the reference's key:

1. ``KANTOR_API_ENABLED`` is off (operator's switch) → API_DISABLED;
2. no ``X-API-Key`` → MISSING_API_KEY; unknown or revoked → INVALID_API_KEY;
3. the signature (``kantor.api.signing``): required but absent →
   MISSING_SIGNATURE, or MISSING_PUBLIC_KEY when the key has no public key to
   sign for; present → always verified (MISSING_PUBLIC_KEY, INVALID_SIGNATURE);
4. the customer is suspended or terminated (REG-12, TERM-2..3) →
   NOT_AUTHORIZED. Decision: NOT_AUTHORIZED, not API_DISABLED, because it is
   the account, not the API, that is stopped; API_DISABLED is the operator's
   switch of step 1;
5. the key has none of the endpoint's roles (the reference's ``x-c1-roles``)
   → MISSING_AUTH_ROLE.

The authenticated ``ApiKey`` (with its customer) is ``request.auth``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader

from kantor.core.rows import RowLoader
from kantor.core.ttlcache import TtlCache
from kantor.customers.models import ApiKey, ApiRole, Customer, CustomerStatus

from .errors import ApiError, ErrorKey
from .keys import hash_key
from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_request_signature

__all__ = [
    "READ",
    "ApiKeyAuth",
    "Signature",
    "caller",
    "caller_customer",
    "ordered_by",
    "public",
    "secured",
]

#: The reference's most common x-c1-roles: [admin, reader].
READ = (ApiRole.ADMIN, ApiRole.READER)

#: ``last_used_at`` is written at most this often per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_BLOCKED_STATUSES = frozenset({CustomerStatus.SUSPENDED, CustomerStatus.TERMINATED})


class Signature(StrEnum):
    """Whether an endpoint needs ``X-API-Signature`` (the reference, per path)."""

    #: Not required; verified when present.
    OPTIONAL = "optional"
    #: Required (e.g. /account/history, /transfer/*).
    REQUIRED = "required"
    #: Required unless ``dryRun=true``, then verified when present
    #: (/market_fx/orders, /direct_fx/exchanges).
    UNLESS_DRY_RUN = "unless_dry_run"


class ApiKeyAuth(APIKeyHeader):
    """A django-ninja auth callable; raises ``ApiError`` instead of returning None,
    so every refusal carries its own key."""

    param_name = "X-API-Key"

    def __init__(
        self,
        roles: Iterable[str],
        signature: Signature = Signature.OPTIONAL,
        *,
        submitting: bool = False,
        defer_signature: bool = False,
    ):
        self.roles = frozenset(str(r) for r in roles)
        if not self.roles:
            raise ValueError("an endpoint must name the roles allowed to call it")
        self.signature = Signature(signature)
        self.submitting = submitting
        #: Leave the verified signature pending for the view to record
        #: (``kantor.api.signing``: the order gateway records it in its group).
        self.defer_signature = defer_signature
        #: Find keys through this cache (``KeyCache``; order entry only).
        self.cache: KeyCache | None = None
        super().__init__()

    def cached(self, cache: KeyCache) -> ApiKeyAuth:
        """The same rules, with keys found through ``cache`` — for a caller
        that re-checks their stamps where it writes (``KeyCache``)."""
        twin = copy.copy(self)
        twin.cache = cache
        return twin

    def __call__(self, request: HttpRequest) -> ApiKey:
        # Errors of a submitting endpoint carry "duplicate": false (envelope).
        request.kantor_submitting = self.submitting  # type: ignore[attr-defined]
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey:
        if not getattr(settings, "KANTOR_API_ENABLED", True):
            raise ApiError(ErrorKey.API_DISABLED, "The API is temporarily disabled.")
        if not key or not key.strip():
            raise ApiError(ErrorKey.MISSING_API_KEY, "The X-API-Key header is missing.")
        key_hash = hash_key(key.strip())
        api_key = self.cache.find(key_hash) if self.cache is not None else _find_key(key_hash)
        if api_key is None or not api_key.is_active:
            raise ApiError(ErrorKey.INVALID_API_KEY, "The API key is unknown or was revoked.")

        signature = request.headers.get(SIGNATURE_HEADER, "")
        if signature.strip():
            verify_request_signature(request, api_key, signature, defer=self.defer_signature)
        elif self._signature_required(request):
            if not api_key.public_key_pem.strip():
                raise ApiError(
                    ErrorKey.MISSING_PUBLIC_KEY,
                    "This request must be signed, and no public key is registered for this "
                    "API key; upload one in the panel.",
                )
            raise ApiError(
                ErrorKey.MISSING_SIGNATURE,
                "This request must be signed: send X-API-Signature and X-API-Timestamp.",
                {"header": SIGNATURE_HEADER},
            )

        if api_key.customer.status in _BLOCKED_STATUSES:
            raise ApiError(
                ErrorKey.NOT_AUTHORIZED,
                "The account is {status}: the service is stopped; contact support.",
                {"status": api_key.customer.status},
            )
        if not api_key.has_any_role(self.roles):
            raise ApiError(
                ErrorKey.MISSING_AUTH_ROLE,
                "The API key has none of the roles this operation needs: {requiredRoles}.",
                {"requiredRoles": ",".join(sorted(self.roles))},
            )
        _touch(api_key)
        return api_key

    def _signature_required(self, request: HttpRequest) -> bool:
        if self.signature == Signature.REQUIRED:
            return True
        if self.signature == Signature.UNLESS_DRY_RUN:
            return not is_dry_run(request)
        return False

    def docs_extra(self) -> dict[str, Any]:
        """Header parameters and ``x-c1-roles`` in the OpenAPI document, as the reference."""
        required = self.signature == Signature.REQUIRED
        sig_text = {
            Signature.REQUIRED: "Required.",
            Signature.OPTIONAL: "Optional; verified when present.",
            Signature.UNLESS_DRY_RUN: "Required unless dryRun=true; verified when present.",
        }[self.signature]
        return {
            "x-c1-roles": sorted(self.roles),
            "parameters": [
                {
                    "in": "header",
                    "name": SIGNATURE_HEADER,
                    "required": required,
                    "schema": {"type": "string"},
                    "description": "base64 RSA-SHA256 (PKCS#1 v1.5) signature of "
                    f"timestamp + path (with query) + body. {sig_text}",
                },
                {
                    "in": "header",
                    "name": TIMESTAMP_HEADER,
                    "required": required,
                    "schema": {"type": "string", "format": "date-time"},
                    "description": "UTC ISO 8601 time of the request, valid ±"
                    f"{settings.KANTOR_API_TIMESTAMP_TOLERANCE_SECONDS} s; "
                    "needed with a signature.",
                },
            ],
        }


def is_dry_run(request: HttpRequest) -> bool:
    """``dryRun`` as the request sends it (form for POST, query for GET)."""
    source = request.POST if request.method == "POST" else request.GET
    return source.get("dryRun", "").strip().lower() in {"true", "1", "yes", "on"}


def _find_key(key_hash: str, *, stamped: bool = False) -> ApiKey | None:
    """The key and its customer in one query: every API request starts here
    (``RowLoader``: the ORM's ``select_related`` cost a millisecond to compile).
    ``stamped`` (PostgreSQL): with ``kantor_stamp``, the stamp of both rows
    (``KeyCache``)."""
    with connection.cursor() as cursor:
        cursor.execute(_BY_HASH_STAMPED if stamped else _BY_HASH, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    api_key = _KEYS.load(row)
    api_key.customer = _CUSTOMERS.load(row[_KEYS.width :])
    if stamped:
        api_key.kantor_stamp = row[-1]  # type: ignore[attr-defined]
    return api_key


_KEYS = RowLoader(ApiKey)
_CUSTOMERS = RowLoader(Customer)
#: What an order's checks read of a key and its customer, as one value: the
#: key's revocation, roles and public key, and the whole customer row.
KEY_STAMP_SQL = "md5(concat_ws('|', k.revoked_at::text, k.roles::text, k.public_key_pem, c::text))"
_BY_HASH = (
    f"SELECT {_KEYS.columns('k')}, {_CUSTOMERS.columns('c')} FROM customers_apikey k "  # noqa: S608
    "JOIN customers_customer c ON c.id = k.customer_id WHERE k.key_hash = %s"
)
_BY_HASH_STAMPED = _BY_HASH.replace(
    " FROM customers_apikey k", f", {KEY_STAMP_SQL} FROM customers_apikey k"
)


class KeyCache(TtlCache[str, ApiKey]):
    """API keys found lately, for order entry's hot path (PostgreSQL only;
    elsewhere every lookup reads the rows).

    An entry carries the stamp (``KEY_STAMP_SQL``) of the rows it was read
    from. The order gateway compares the stamps inside the transaction that
    writes the orders (``kantor.api.gateway``), so a key revoked, a role or
    public key changed, or a customer suspended since is caught where it
    matters: that request is left out of its group and decided again on
    fresh rows by Django's path. Entries live ``ttl`` seconds and at most
    ``size`` of them, so a process's memory of keys stays small.
    """

    def __init__(self, *, ttl: float = 30.0, size: int = 10_000):
        super().__init__(ttl=ttl, size=size)

    def find(self, key_hash: str) -> ApiKey | None:
        if connection.vendor != "postgresql":
            return _find_key(key_hash)
        api_key = self.get(key_hash)
        if api_key is None:
            api_key = _find_key(key_hash, stamped=True)
            if api_key is not None:  # unknown keys are not remembered: Django refuses them
                self.put(key_hash, api_key)
        return api_key

    def forget(self, key_ids: Iterable[int]) -> None:
        """Drop the entries of these keys (their stamps no longer match)."""
        ids = set(key_ids)
        self.drop(lambda api_key: api_key.pk in ids)


#: The cache order entry authenticates through (``ApiKeyAuth.cached``).
order_keys = KeyCache()


def _touch(api_key: ApiKey) -> None:
    """Record use at most once a minute per key: one UPDATE, no read-modify-write."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


def secured(
    *roles: str,
    signature: Signature = Signature.OPTIONAL,
    submitting: bool = False,
    defer_signature: bool = False,
) -> dict[str, Any]:
    """Keyword arguments for a ninja route: its auth and its OpenAPI extras."""
    auth = ApiKeyAuth(roles, signature, submitting=submitting, defer_signature=defer_signature)
    return {"auth": auth, "openapi_extra": auth.docs_extra()}


def public() -> dict[str, Any]:
    """Keyword arguments for a route anyone may call (``x-c1-roles: [public]``)."""
    return {"auth": None, "openapi_extra": {"x-c1-roles": ["public"]}}


def caller(request: HttpRequest) -> ApiKey:
    """The authenticated API key of a secured endpoint."""
    api_key = getattr(request, "auth", None)
    if not isinstance(api_key, ApiKey):
        raise RuntimeError("caller() used on an endpoint that is not secured()")
    return api_key


def caller_customer(request: HttpRequest) -> Customer:
    return caller(request).customer


def ordered_by(api_key: ApiKey) -> str:
    """The history's ``orderedBy`` for the API channel: ``API/1a2b3…``."""
    return f"API/{api_key.prefix[:5]}…"
