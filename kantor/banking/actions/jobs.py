"""Time-driven banking work for the scheduler (``kantor.ops.scheduler``)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from ..queries import overdue_refunds

log = logging.getLogger("kantor.banking")


@transaction.atomic
def mark_overdue_refunds(now: datetime) -> int:
    """DEP-4: stamp refunds whose 14-business-day deadline passed (idempotent).

    The back office lists them first and highlighted; the stamp says since
    when, and each one is logged once, for the operator's monitoring.
    """
    newly = list(overdue_refunds(now).filter(refund_overdue_at__isnull=True))
    for deposit in newly:
        log.warning(
            "refund of deposit %s (%s) is overdue since %s",
            deposit.pk,
            deposit.money,
            deposit.refund_deadline,
        )
    overdue_refunds(now).filter(refund_overdue_at__isnull=True).update(refund_overdue_at=now)
    return len(newly)
