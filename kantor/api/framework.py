"""Building a Kantor API: a NinjaAPI that never answers anything but the envelope.

``make_api`` creates the Walutomat-compatible API (``/api/v2.0.0/``) and
Kantor's extensions (``/api/kantor/v1/``) alike (API-1, API-4):

* every exception becomes an HTTP 200 error envelope: ``ApiError`` as it is;
  ninja's parameter validation → INVALID_ARGUMENTS with one ``errorData``
  entry per bad parameter; a domain exception with a stable ``code`` → its
  key (``kantor.api.errors``); anything else → OTHER with a logged trace;
* ``api_urls`` wraps each view so that a wrong HTTP method, an unknown path
  under the API root, or an error escaping ninja itself is answered in the
  envelope too — never a 404/405/500 page;
* an endpoint that forgot ``secured(...)``/``public()`` is refused at run time
  (``_UndeclaredAccess``), so forgetting is never "public by accident";
* the OpenAPI document and a Swagger page that works offline (``docs``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security.base import AuthBase

from .docs import OfflineSwagger, docs_asset
from .envelope import error_response, internal_error_response
from .errors import ApiError, ErrorKey, api_error_from
from .signing import consume_pending

__all__ = ["api_urls", "make_api", "unknown_endpoint"]

logger = logging.getLogger(__name__)


class _UndeclaredAccess(AuthBase):
    """The API-wide default auth: an endpoint must declare its access."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = "X-API-Key"

    def __call__(self, request: HttpRequest) -> Any:
        raise ApiError(
            ErrorKey.MISSING_AUTH_ROLE,
            "This endpoint declares no access rule; it is closed until it does.",
        )


def make_api(*, title: str, version: str, namespace: str, description: str) -> NinjaAPI:
    api = NinjaAPI(
        title=title,
        version=version,
        description=description,
        urls_namespace=namespace,
        docs=OfflineSwagger(),
        docs_url="/docs",
        openapi_url="/openapi.json",
        auth=_UndeclaredAccess(),
    )
    api.add_exception_handler(Exception, _on_exception)
    api.add_exception_handler(Http404, _on_exception)
    api.add_exception_handler(HttpError, _on_exception)
    api.add_exception_handler(ValidationError, _on_exception)
    return api


def _on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, ValidationError):
        return error_response(request, invalid_arguments(exc.errors))
    if isinstance(exc, AuthenticationError):
        return error_response(request, ApiError(ErrorKey.MISSING_API_KEY))
    if isinstance(exc, HttpError | Http404):
        return error_response(request, ApiError(ErrorKey.INVALID_ARGUMENTS, str(exc)))
    if isinstance(exc, SuspiciousOperation):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(
            request, ApiError(ErrorKey.INVALID_ARGUMENTS, "The request is malformed or too large.")
        )
    error = api_error_from(exc)
    if error is None:
        return internal_error_response(request, exc)
    return error_response(request, error)


def invalid_arguments(errors: list[dict[str, Any]]) -> ApiError:
    """INVALID_ARGUMENTS naming each parameter pydantic refused."""
    data: list[tuple[str, str]] = []
    for item in errors:
        loc = [str(part) for part in item.get("loc", ()) if part not in ("query", "form", "body")]
        name = loc[-1] if loc else "request"
        missing = item.get("type") == "missing"
        message = "required" if missing else str(item.get("msg", "invalid"))
        data.append((name, message))
    names = ", ".join(dict.fromkeys(name for name, _ in data))
    return ApiError(ErrorKey.INVALID_ARGUMENTS, f"Invalid arguments: {names}.", data)


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The last line: 404, 405 and anything ninja let escape become envelopes."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = unknown_endpoint(request)
        except Exception as exc:  # the API's boundary: log, answer OTHER (never a 500)
            response = internal_error_response(request, exc)
        else:
            if response.status_code == 405:
                response = error_response(
                    request,
                    ApiError(
                        ErrorKey.INVALID_ARGUMENTS,
                        "Method {method} is not allowed here; use {allowed}.",
                        {"method": request.method, "allowed": response.get("Allow", "")},
                    ),
                )
        replayed = _spend_signature(request)
        return error_response(request, replayed) if replayed else response

    # Calls authenticate by API key, never by cookie: CSRF does not apply.
    guarded.csrf_exempt = True  # type: ignore[attr-defined]
    return guarded


def _spend_signature(request: HttpRequest) -> ApiError | None:
    """A signature the view left pending (refused before it ran) is spent now;
    if it was spent before, the request was a replay and is answered as one
    (API-2), whatever else was wrong with it."""
    try:
        consume_pending(request)
    except ApiError as replayed:
        return replayed
    except Exception:  # the answer stands; nothing ran under this signature
        logger.warning("could not record a refused request's signature", exc_info=True)
    return None


def unknown_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(
        request,
        ApiError(
            ErrorKey.INVALID_ARGUMENTS,
            "No endpoint at {path}.",
            {"path": request.path[:200]},
        ),
    )


unknown_endpoint.csrf_exempt = True  # type: ignore[attr-defined]


def api_urls(api: NinjaAPI) -> tuple[list[URLPattern | URLResolver], str, str]:
    """``api.urls`` with every view guarded, the docs' local assets, and a
    catch-all for unknown paths — for ``path("api/v2.0.0/", api_urls(api))``."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _guard(pattern.callback)
    patterns = [
        path("docs/assets/<str:name>", _guard(docs_asset), name="docs-asset"),
        *patterns,
        path("<path:rest>", unknown_endpoint, name="unknown-endpoint"),
    ]
    return patterns, app_name, namespace
