"""Helpers shared by the banking actions."""

from __future__ import annotations

from datetime import datetime, time

from django.db import models

from kantor.domain.calendar import warsaw_date, warsaw_datetime
from kantor.ledger.posting import Posting

from ..errors import BankingError, Code
from ..models import BankEntry

__all__ = ["at", "booking_moment", "clean_reason", "locked", "require_status"]


def clean_reason(reason: str | None, *, required: bool = True) -> str:
    """AML-4: a staff decision states its reason (kept in the audit log)."""
    text = " ".join(str(reason or "").split())
    if required and not text:
        raise BankingError("give the reason for this decision", code=Code.REASON_REQUIRED)
    return text[:1000]


def locked(obj: models.Model) -> models.Model:
    """The row again, locked for the rest of the transaction."""
    return type(obj)._base_manager.select_for_update().get(pk=obj.pk)


def require_status(obj, *allowed: str) -> None:
    if obj.status not in allowed:
        raise BankingError(
            f"{obj} is {obj.status}; this needs {' or '.join(allowed)}",
            code=Code.INVALID_STATE,
            error_data={"status": obj.status},
        )


def booking_moment(entry: BankEntry, now: datetime) -> datetime:
    """When the bank booked the entry, as well as a statement tells it (LOCK-6, DEP-4).

    Statements give the booking *date*. Decision: the moment is the import
    time when the statement is imported on its booking day (intraday
    statements: the time is then known to the minute), and the start of the
    booking day (Warsaw time) for a statement imported later. When only the
    date is known, the customer gets the benefit of the doubt: a transfer the
    bank booked on a LOCK-6 deadline day counts as in time, rather than being
    made late by the operator's own end-of-day import.
    """
    start_of_day = warsaw_datetime(entry.booking_date, time(0, 0))
    if warsaw_date(now) == entry.booking_date:
        return now
    return min(now, start_of_day)


def at(posting: Posting, now: datetime) -> Posting:
    """The posting dated at the action's ``now`` (the import's clock): history ``ts``."""
    posting.created_at = now
    return posting
