"""The banking app's settings, with the SPEC's defaults.

=====================================  ==============================================
setting                                meaning (default)
=====================================  ==============================================
``KANTOR_AML_REPORT_THRESHOLD_EUR``    AML-2: transfers above this EUR equivalent
                                       are flagged for the GIIF report (``15000.00``)
``KANTOR_REFUND_BUSINESS_DAYS``        DEP-4: refund deadline after arrival (14)
``KANTOR_PAYOUT_DIR``                  WD-4: where ``kantor payouts export`` writes
                                       pain.001 files (``var/payouts``)
=====================================  ==============================================

The operator's client-money accounts and the WD-3 fee table are data, edited
in the back office (seeded by the migrations), not settings.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from kantor.domain.money import Money


def aml_threshold() -> Money:
    return Money(str(getattr(settings, "KANTOR_AML_REPORT_THRESHOLD_EUR", "15000.00")), "EUR")


def refund_business_days() -> int:
    return int(getattr(settings, "KANTOR_REFUND_BUSINESS_DAYS", 14))


def payout_dir() -> Path:
    default = Path(settings.VAR_DIR) / "payouts" if hasattr(settings, "VAR_DIR") else "payouts"
    return Path(getattr(settings, "KANTOR_PAYOUT_DIR", default))
