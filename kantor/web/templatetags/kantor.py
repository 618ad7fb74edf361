"""Template filters for money as a customer reads it, in their language."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from kantor.domain.money import Money

register = template.Library()

#: What each Walutomat operation type is called in the panel.
OPERATION_LABELS = {
    "PAYIN": _("Deposit"),
    "PAYIN_FEE": _("Deposit fee"),
    "PAYOUT": _("Withdrawal"),
    "PAYOUT_FEE": _("Withdrawal fee"),
    "PAYOUT_REJECT": _("Withdrawal rejected"),
    "PAYOUT_RETURN": _("Withdrawal returned"),
    "PAYOUT_FEE_RETURN": _("Withdrawal fee returned"),
    "MARKET_FX": _("Market exchange"),
    "MARKET_FX_FEE": _("Market commission"),
    "DIRECT_FX": _("Instant exchange"),
    "INTERNAL": _("Internal transfer"),
    "CHARGE_COMPENSATION": _("Charge"),
    "CUSTOMER_PROFIT": _("Credit"),
    "OTHER": _("Other"),
}


@register.filter
def money(value: Money) -> str:
    """``Money('1500.00', 'PLN')`` → ``1500,00 PLN`` in Polish, ``1500.00 PLN`` in English."""
    if not isinstance(value, Money):
        return value
    return f"{number_format(value.amount, value.currency.minor_units)} {value.currency.code}"


@register.filter
def operation_label(code: str) -> str:
    return OPERATION_LABELS.get(code, code)
