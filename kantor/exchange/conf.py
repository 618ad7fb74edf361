"""The exchange app's configuration: Django settings with the SPEC's defaults.

=============================================  ===========================================
setting                                        meaning (default)
=============================================  ===========================================
``KANTOR_DIRECT_FX_QUOTE_VALIDITY_SECONDS``    FX-1: a published rate (``ts``) can be
                                               exchanged at for this long (600, the
                                               reference's 10 minutes)
``KANTOR_OPERATOR_FX_COMMISSION_RATE``         FEE-1 where the operator charges it on its
                                               own exchanges (``"0"``: the margin is the
                                               price, as on Walutomat's direct_fx and
                                               InternetowyKantor; LOCK-15 "the usual fees")
``KANTOR_RATE_LOCK_QUOTE_VALIDITY_SECONDS``    LOCK-3 decision: the start-of-placing quote
                                               is honoured this long (120)
``KANTOR_RATE_LOCK_LIMITS``                    LOCK-12: ``(not met, met)`` PLN limits
                                               (``("10000.00", "100000.00")``)
``KANTOR_ORDER_HOURS``                         LOCK-13: a ``ServiceHours`` for placing
                                               orders (around the clock)
``KANTOR_RATE_LOCK_EXPIRY_GRACE_SECONDS``      LOCK-10: the expiry job cancels this long
                                               after the deadline (0); the cancellation
                                               still takes effect *at* the deadline
``KANTOR_OPERATOR_BANK_ACCOUNTS``              DEP-1/LOCK-14: ``{currency: IBAN}`` of the
                                               operator's client-money accounts, when the
                                               banking app does not provide them
=============================================  ===========================================
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings

from kantor.domain.calendar import ServiceHours
from kantor.domain.money import Money
from kantor.domain.ratelock import LockLimits


def _setting(name: str, default):
    return getattr(settings, name, default)


def direct_fx_quote_validity() -> timedelta:
    return timedelta(seconds=int(_setting("KANTOR_DIRECT_FX_QUOTE_VALIDITY_SECONDS", 600)))


def operator_commission_rate() -> Decimal:
    return Decimal(str(_setting("KANTOR_OPERATOR_FX_COMMISSION_RATE", "0")))


def rate_lock_quote_validity() -> timedelta:
    return timedelta(seconds=int(_setting("KANTOR_RATE_LOCK_QUOTE_VALIDITY_SECONDS", 120)))


def rate_lock_limits() -> LockLimits:
    not_met, met = _setting("KANTOR_RATE_LOCK_LIMITS", ("10000.00", "100000.00"))
    return LockLimits(Money(str(not_met), "PLN"), Money(str(met), "PLN"))


def order_hours() -> ServiceHours:
    hours = _setting("KANTOR_ORDER_HOURS", None)
    return hours if isinstance(hours, ServiceHours) else ServiceHours()


def expiry_grace() -> timedelta:
    return timedelta(seconds=int(_setting("KANTOR_RATE_LOCK_EXPIRY_GRACE_SECONDS", 0)))


def operator_bank_account(currency: str) -> str:
    """LOCK-14, DEP-1: the operator's account the customer pays ``currency`` into.

    The banking app owns the client-money accounts (``client_bank_account_iban``);
    the setting answers only for a currency banking has no account for. An
    empty answer is shown as such, never a made-up number.
    """
    try:  # banking may provide the configured client bank accounts
        from kantor.banking import queries as banking_queries  # type: ignore[attr-defined]

        lookup = getattr(banking_queries, "client_bank_account_iban", None)
        if lookup is not None:
            iban = lookup(currency)
            if iban:
                return str(iban)
    except ImportError:
        pass
    configured = _setting("KANTOR_OPERATOR_BANK_ACCOUNTS", None) or {}
    return str(configured.get(currency, ""))
