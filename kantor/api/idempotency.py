"""``submitId`` and ``dryRun`` for submitting endpoints (API-1).

The reference: a request repeated with the same ``submitId`` "will not perform
requested operation one more time, but simply repeats last response, this
time with ``duplicate`` set to true"; ``dryRun=true`` validates and answers
what the operation would do, executes nothing, and "``submitId`` must not be
used" with it. A submitting endpoint takes a form deriving from ``SubmitForm``
and hands its work to ``submit``::

    @router.post("/direct_fx/exchanges", response=SubmitEnvelope[ExchangeResult],
                 **secured(ApiRole.ADMIN, ApiRole.DIRECT_FX,
                           signature=Signature.UNLESS_DRY_RUN, submitting=True))
    def new_exchange(request, form: Form[ExchangeForm]):
        return submit(request, form,
                      execute=lambda ctx: {"exchangeId": str(exchange(..., ctx).id)},
                      preview=lambda ctx: {"exchangeId": "", ...})

Decisions:

* ``submitId`` is unique per customer across all endpoints.
* The *same request* is the same method, path and parameters (names and
  values, order ignored, ``dryRun`` ignored since it is necessarily false).
  The same request again → the stored first ``result`` with
  ``duplicate: true``, nothing executed. A *different* request under a used
  ``submitId`` → INVALID_ARGUMENTS with ``errorData`` ``submitId``: replaying
  an answer to a question that was not asked would mislead the client.
* Only a successful answer is stored. A refused request (insufficient funds,
  invalid account…) did nothing and rolled back, so its ``submitId`` stays
  free and a later retry is judged afresh.
* Race safety: the ``Submission`` row (unique customer + submitId) is inserted
  first, the operation runs and the answer is written, all in one database
  transaction. A concurrent request with the same ``submitId`` blocks on the
  unique index until the first commits (then replays its answer) or rolls
  back (then executes itself). The operation therefore runs inside this
  transaction: actions called from ``execute`` must not use
  ``transaction.atomic(durable=True)``.
* Before ``submit`` an endpoint only parses its form; checks that depend on
  the state of things (balances, offered pairs, rates) belong in ``execute``
  and ``preview``, so that a duplicate replays even after that state changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import field_validator

from kantor.customers.models import ApiKey, Customer

from .auth import caller, ordered_by
from .envelope import ok_submitted
from .errors import ApiError, ErrorKey
from .models import Submission

__all__ = ["SUBMIT_ID_PATTERN", "SubmitContext", "SubmitForm", "request_fingerprint", "submit"]

SUBMIT_ID_PATTERN = r"^[a-zA-Z0-9_-]{1,36}$"

Result = dict[str, Any]


class SubmitForm(Schema):
    """The reference's ``dryRun`` and ``submitId``, common to submitting endpoints."""

    dryRun: bool = Field(
        False, description="When true, validate and answer only: nothing is executed."
    )
    submitId: str | None = Field(
        None,
        pattern=SUBMIT_ID_PATTERN,
        description="Your unique id of this request, required unless dryRun=true, must "
        "not be used with dryRun=true. Repeating it replays the first answer.",
    )

    @field_validator("submitId", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        return None if value == "" else value


@dataclass(frozen=True)
class SubmitContext:
    """What an operation needs to know about the submission it serves."""

    customer: Customer
    api_key: ApiKey
    #: "" in a dry run.
    submit_id: str
    #: The history's ``orderedBy`` (``API/1a2b3…``).
    ordered_by: str
    dry_run: bool

    @property
    def idempotency_key(self) -> str:
        """A ledger idempotency key for the posting this submission makes: a
        second safety net under the ``Submission`` row."""
        return f"api:{self.customer.pk}:{self.submit_id}"


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def request_fingerprint(request: HttpRequest) -> str:
    """Method, path and parameters (order and ``dryRun`` ignored); a body that
    is not a form counts as it is."""
    params = request.POST if request.method == "POST" else request.GET
    items = sorted((k, v) for k, values in params.lists() if k != "dryRun" for v in values)
    if request.method == "POST" and request.content_type not in _FORMS:
        items.append(("", request.body.decode(errors="replace")))
    payload = json.dumps([request.method, request.path, items], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def submit(
    request: HttpRequest,
    form: SubmitForm,
    *,
    execute: Callable[[SubmitContext], Any],
    preview: Callable[[SubmitContext], Any],
) -> dict[str, Any]:
    """Run a submitting endpoint's operation once (see module docstring) and
    return the envelope. ``preview`` answers a dry run: the same shape as
    ``execute``'s result, with empty ids."""
    api_key = caller(request)
    context = SubmitContext(
        customer=api_key.customer,
        api_key=api_key,
        submit_id=form.submitId or "",
        ordered_by=ordered_by(api_key),
        dry_run=form.dryRun,
    )
    if form.dryRun:
        if form.submitId:
            raise ApiError(
                ErrorKey.INVALID_ARGUMENTS,
                "submitId must not be used when dryRun=true.",
                {"submitId": form.submitId},
            )
        return ok_submitted(_plain(preview(context)), duplicate=False)
    if not form.submitId:
        raise ApiError(
            ErrorKey.INVALID_ARGUMENTS,
            "submitId is required unless dryRun=true.",
            {"submitId": "required"},
        )
    return _execute_once(request, context, execute)


def _execute_once(
    request: HttpRequest, context: SubmitContext, execute: Callable[[SubmitContext], Any]
) -> dict[str, Any]:
    fingerprint = request_fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    customer=context.customer,
                    submit_id=context.submit_id,
                    path=request.path[:200],
                    fingerprint=fingerprint,
                    api_key=context.api_key,
                )
        except IntegrityError:
            return _replay(context, fingerprint)
        result = _plain(execute(context))
        submission.result = result
        submission.save(update_fields=["result"])
    return ok_submitted(result, duplicate=False)


def _replay(context: SubmitContext, fingerprint: str) -> dict[str, Any]:
    first = Submission.objects.get(customer=context.customer, submit_id=context.submit_id)
    if first.fingerprint != fingerprint:
        raise ApiError(
            ErrorKey.INVALID_ARGUMENTS,
            "submitId {submitId} was already used for a different request; "
            "use a new submitId for a new request.",
            {"submitId": context.submit_id},
        )
    return ok_submitted(first.result, duplicate=True)


def _plain(result: Any) -> Result:
    """The JSON form of a result, so the first answer and its replays are identical."""
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json")
    return json.loads(json.dumps(result, cls=DjangoJSONEncoder))
