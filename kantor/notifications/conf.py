"""The outbox's settings, with defaults that ride out a day-long provider outage.

=========================================  ==============================================
setting                                    meaning (default)
=========================================  ==============================================
``KANTOR_OUTBOX_MAX_ATTEMPTS``             attempts before a message is given up
                                           (``FAILED``, listed for staff) (30)
``KANTOR_OUTBOX_RETRY_BASE_SECONDS``       the wait after the first failure; it doubles
                                           after each further one (60)
``KANTOR_OUTBOX_RETRY_MAX_SECONDS``        the longest wait between two attempts (3600):
                                           with the defaults, about 25 hours of retries
``KANTOR_OUTBOX_BATCH``                    messages one dispatcher run claims (100)
``KANTOR_OUTBOX_LEASE_SECONDS``            a claimed message that was neither sent nor
                                           failed (the dispatcher died) is due again
                                           after this long (300)
``KANTOR_OUTBOX_DISPATCH_EVERY_SECONDS``   how often the scheduler runs the dispatcher (5)
``KANTOR_OUTBOX_SEND_TIMEOUT_SECONDS``     SMTP socket timeout when ``EMAIL_TIMEOUT`` is
                                           not set, so a silent provider cannot hang the
                                           worker (30)
=========================================  ==============================================
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_attempts() -> int:
    return max(1, _int("KANTOR_OUTBOX_MAX_ATTEMPTS", 30))


def retry_base() -> timedelta:
    return timedelta(seconds=_int("KANTOR_OUTBOX_RETRY_BASE_SECONDS", 60))


def retry_max() -> timedelta:
    return timedelta(seconds=_int("KANTOR_OUTBOX_RETRY_MAX_SECONDS", 3600))


def batch_size() -> int:
    return max(1, _int("KANTOR_OUTBOX_BATCH", 100))


def lease() -> timedelta:
    return timedelta(seconds=_int("KANTOR_OUTBOX_LEASE_SECONDS", 300))


def dispatch_every_seconds() -> int:
    return max(1, _int("KANTOR_OUTBOX_DISPATCH_EVERY_SECONDS", 5))


def send_timeout() -> float:
    configured = getattr(settings, "EMAIL_TIMEOUT", None)
    return float(configured or _int("KANTOR_OUTBOX_SEND_TIMEOUT_SECONDS", 30))
