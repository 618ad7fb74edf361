"""Scheduled housekeeping of the API layer."""

from __future__ import annotations

from datetime import datetime

from .models import UsedSignature
from .signing import tolerance


def purge_used_signatures(now: datetime) -> int:
    """API-2: forget used signatures whose timestamp left the validity window.

    A signature older than the tolerance is refused as expired before replay
    is even checked, so its record protects nothing any more. Returns how many
    were deleted. Run it every few minutes (the scheduler calls it).
    """
    deleted, _ = UsedSignature.objects.filter(timestamp__lt=now - tolerance()).delete()
    return deleted
