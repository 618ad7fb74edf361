"""The exchange app's scheduled jobs (LOCK-9, LOCK-10, LOCK-11, LOCK-3).

Each is a function of ``now``, idempotent and safe to run twice or late
(``kantor.ops.scheduler``): it looks at the state of every order at ``now``
and the actions re-check that state under the order's row lock.

Each order is handled in its own savepoint: one order that fails (a bug, a
rate missing) is logged with its trace and skipped, and cannot hold up the
deadlines of every other customer; the next run tries it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F

from . import conf
from .actions import expiry
from .models import LockStatus, RateLockOrder, RateLockQuote

log = logging.getLogger("kantor.exchange")

__all__ = ["QUOTE_RETENTION", "collect_damages", "deadlines", "purge_quotes"]

#: Expired quotes are kept a day for support questions, then removed.
QUOTE_RETENTION = timedelta(days=1)


def _each(orders: Iterable[RateLockOrder], work: Callable[[RateLockOrder], object], job: str):
    done, failed = 0, []
    for order in orders:
        try:
            with transaction.atomic():
                work(order)
            done += 1
        except Exception:  # logged with its trace; the other orders go on (module docstring)
            log.exception("%s: order %s failed", job, order.pk)
            failed.append(str(order.pk))
    return {"done": done, "failed": failed}


def deadlines(now: datetime) -> dict:
    """LOCK-9 waiting orders execute or cancel; LOCK-10 unpaid orders past the
    deadline (plus ``KANTOR_RATE_LOCK_EXPIRY_GRACE_SECONDS``) are cancelled."""
    waiting = RateLockOrder.objects.filter(status=LockStatus.PAID_WAITING).order_by("deadline")
    due = RateLockOrder.objects.filter(
        status=LockStatus.AWAITING_PAYMENT, deadline__lt=now - conf.expiry_grace()
    ).order_by("deadline")
    return {
        "waiting": _each(waiting, lambda o: expiry.process_waiting(o, now=now), "deadlines"),
        "expired": _each(due, lambda o: expiry.expire_order(o, now=now), "deadlines"),
    }


def collect_damages(now: datetime) -> dict:
    """LOCK-11: collect owed damages from balances that have the money now."""
    owing = RateLockOrder.objects.filter(
        damages_minor__gt=F("damages_collected_minor") + F("damages_waived_minor")
    ).order_by("cancelled_at")
    return _each(owing, lambda o: expiry.collect_damages(o, now=now), "collect_damages")


def purge_quotes(now: datetime) -> int:
    """LOCK-3: quotes are only needed while placing; placed orders keep their rates."""
    deleted, _ = RateLockQuote.objects.filter(expires_at__lt=now - QUOTE_RETENTION).delete()
    return deleted
