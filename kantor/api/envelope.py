"""The Walutomat response envelope (API-1).

Every answer is HTTP 200 with JSON::

    {"success": true, "result": ...}                      # reads
    {"success": true, "duplicate": false, "result": ...}  # submitting endpoints
    {"success": false, "errors": [{"key", "description", "errorData": [...], "trace"?}]}

Errors of submitting endpoints carry ``"duplicate": false`` too.

The reference: "all API endpoints always respond with 200 code and valid json
success attribute"; a client branches on ``success`` and the error ``key``.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Generic, TypeVar

from django.http import HttpRequest, HttpResponse
from ninja import Schema

from .errors import ApiError, ErrorKey

__all__ = [
    "Envelope",
    "SubmitEnvelope",
    "error_response",
    "internal_error_response",
    "ok",
    "ok_submitted",
]

logger = logging.getLogger("kantor.api")

T = TypeVar("T")


class Envelope(Schema, Generic[T]):
    """A successful answer (``success: true``)."""

    success: bool = True
    result: T


class SubmitEnvelope(Schema, Generic[T]):
    """The answer of a submitting endpoint (the reference's DuplicatableResponse):
    ``duplicate`` is true when the submitId was seen before and nothing was done."""

    success: bool = True
    duplicate: bool = False
    result: T


def ok(result: Any) -> dict[str, Any]:
    return {"success": True, "result": result}


def ok_submitted(result: Any, *, duplicate: bool) -> dict[str, Any]:
    return {"success": True, "duplicate": duplicate, "result": result}


def error_body(request: HttpRequest | None, *errors: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False}
    if request is not None and getattr(request, "kantor_submitting", False):
        body["duplicate"] = False
    body["errors"] = [e.as_dict() for e in errors]
    return body


def error_response(request: HttpRequest | None, *errors: ApiError) -> HttpResponse:
    return _json_response(error_body(request, *errors))


def internal_error_response(request: HttpRequest | None, exc: BaseException) -> HttpResponse:
    """OTHER with a trace id; the exception is logged under that id so support
    can find it from what the client shows them."""
    trace = uuid.uuid4().hex
    path = getattr(request, "path", "?")
    logger.error("API internal error trace=%s path=%s", trace, path, exc_info=exc)
    error = ApiError(
        ErrorKey.OTHER,
        "Unexpected error; quote the trace {trace} to support.",
        {"trace": trace},
        trace=trace,
    )
    return error_response(request, error)


def _json_response(body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=200,
        content_type="application/json; charset=utf-8",
    )
