"""Order entry: signed ``POST /api/v2.0.0/market_fx/orders`` outside Django's request cycle.

The busiest call of the API is one order; through Django and django-ninja it
pays for nine middleware, URL resolving, ninja's operation machinery and its
response rendering before and after the work that matters — about a fifth
of a web worker's CPU per order (0.45 of 2.5 ms; docs/PERFORMANCE.md). ``OrderEntry`` wraps
the WSGI application (``kantor.wsgi``) and accepts the ordinary order request
itself, with the very same parts the endpoint uses: Django's ``WSGIRequest``
and form parsing, the endpoint's own auth object (``ApiKeyAuth``: key, roles,
customer status, signature verified and left pending; keys found through
``auth.order_keys``, whose stamps the gateway re-checks where it writes),
its form schema
(``NewOrderForm``) and the order gateway's group commit
(``kantor.api.gateway``). Its answer is the endpoint's answer, byte for byte,
headers included (``tests/api/test_orderentry.py`` compares them). Once an
order is committed the answer is always its own: handing the request to
Django then would try it a second time.

It only takes what it can answer exactly that way: a form-encoded body with
the endpoint's parameters once each, not a dry run, with a ``submitId``, no
cookies, over a connection Django would not redirect, that authenticates and
that the gateway commits. Everything else — every refusal included — goes to
Django untouched (the body handed back as it came), which answers it as
always; a request the gateway refused is marked so that the endpoint does
not try the gateway a second time. ``KANTOR_API_ORDER_ENTRY`` turns it off.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.utils import translation
from pydantic import ValidationError

from . import gateway
from .auth import ApiKeyAuth, order_keys
from .envelope import ok_submitted
from .errors import ApiError

__all__ = ["DECLINED", "ORDERS_PATH", "OrderEntry", "enabled"]

log = logging.getLogger(__name__)

ORDERS_PATH = "/api/v2.0.0/market_fx/orders"
#: ``environ`` key: the gateway refused this request's group; answer it alone.
DECLINED = "kantor.order_entry.declined"

_FORM = "application/x-www-form-urlencoded"
_JSON = ("Content-Type", "application/json; charset=utf-8")
_FIELDS = frozenset(
    {"submitId", "dryRun", "currencyPair", "buySell", "volume", "volumeCurrency", "limitPrice"}
)

StartResponse = Callable[..., Any]


def enabled() -> bool:
    return bool(getattr(settings, "KANTOR_API_ORDER_ENTRY", True)) and gateway.enabled()


class OrderEntry:
    """WSGI middleware in front of Django's handler (module docstring)."""

    def __init__(self, app: Callable[[dict, StartResponse], Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != ORDERS_PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or not enabled()
        ):
            return self.app(environ, start_response)
        body = _read_form(environ)
        if body is None:
            return self.app(environ, start_response)
        committed = _committed(environ, body)
        if committed is None:  # Django answers it, with the body as it came
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        # The order is in: from here on the answer is ours, whatever happens.
        request, result = committed
        payload = json.dumps(ok_submitted(result, duplicate=False)).encode()
        try:
            headers = _headers(request, len(payload))
        except Exception:
            log.exception("order entry: the answer's headers failed; sent without them")
            headers = [_JSON, ("Content-Length", str(len(payload)))]
        start_response("200 OK", headers)
        return [payload]


def _committed(environ: dict, body: bytes) -> tuple[WSGIRequest, dict] | None:
    """The request and its gateway result once its order is committed, or None
    (nothing was written: Django must answer it), as one request cycle."""
    signals.request_started.send(sender=OrderEntry, environ=environ)
    try:
        return _accept(environ, body)
    except SuspiciousOperation as exc:  # e.g. too many fields: Django refuses it
        log.debug("order entry: %r; Django answers the request", exc)
    except Exception:
        log.warning("order entry failed; Django answers the request", exc_info=True)
    finally:
        try:
            signals.request_finished.send(sender=OrderEntry)
        except Exception:  # the answer does not depend on it; Django's own cycle follows
            log.warning("order entry: request_finished failed", exc_info=True)
    return None


def _read_form(environ: dict) -> bytes | None:
    """The body of a form-encoded request of a sane size, or None (untouched)."""
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type.split(";", 1)[0].strip().lower() != _FORM:
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length <= 0 or (limit is not None and length > limit):
        return None
    try:
        return environ["wsgi.input"].read(length)
    except OSError:  # the client went away: nobody reads the answer
        return b""


def _accept(environ: dict, body: bytes) -> tuple[WSGIRequest, dict] | None:
    """The request and the gateway's result if the order was committed, else None."""
    if environ.get("HTTP_COOKIE") or settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
        return None  # a browser's session, or middleware that would answer otherwise
    environ["wsgi.input"] = io.BytesIO(body)
    request = WSGIRequest(environ)
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # Django redirects it
    try:
        request.get_host()
    except DisallowedHost:
        return None  # Django refuses the host
    form = _form(request)
    if form is None or form.dryRun or not form.submitId:
        return None
    try:
        request.auth = _auth()(request)  # type: ignore[attr-defined]
    except ApiError:
        return None  # Django refuses it with the same key
    args = (form.currencyPair, form.buySell, form.volume, form.volumeCurrency, form.limitPrice)
    result = gateway.place(request, form.submitId, args)
    if result is None:
        environ[DECLINED] = True
        return None
    return request, result


@cache
def _auth() -> ApiKeyAuth:
    """The endpoint's own rules, with keys found through ``auth.order_keys``
    (the gateway re-checks them where it writes)."""
    from .v2.market_fx import NEW_ORDER_AUTH

    return NEW_ORDER_AUTH.cached(order_keys)


def _form(request: WSGIRequest):
    """The endpoint's ``NewOrderForm`` if the body names each of its fields at
    most once and nothing else (what ninja would read the same way), else None."""
    from .v2.market_fx import NewOrderForm

    post = request.POST
    if not set(post).issubset(_FIELDS) or any(len(values) != 1 for _, values in post.lists()):
        return None
    try:
        return NewOrderForm.model_validate(post.dict())
    except ValidationError:
        return None


def _headers(request: WSGIRequest, length: int) -> list[tuple[str, str]]:
    """What Django's middleware adds to the endpoint's answer, in its order
    (``XFrameOptionsMiddleware``, ``LocaleMiddleware``, ``SecurityMiddleware``)."""
    language = translation.get_language_from_request(request)
    headers = [
        _JSON,
        ("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()),
        ("Content-Length", str(length)),
        ("Vary", "Accept-Language"),
        ("Content-Language", language),
    ]
    if settings.SECURE_HSTS_SECONDS and request.is_secure():
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append(("Strict-Transport-Security", hsts))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    policy = settings.SECURE_REFERRER_POLICY
    if policy:
        values = policy.split(",") if isinstance(policy, str) else policy
        headers.append(("Referrer-Policy", ",".join(v.strip() for v in values)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    return headers
