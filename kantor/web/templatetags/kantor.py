"""Template filters for money, rates and orders as a customer reads them, in their language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

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


#: MON-3: rates are shown with at least this many decimals (4.3 → 4,3000).
RATE_DECIMALS = 4

#: MKT-1: an order's side, naming the pair's base currency.
SIDE_LABELS = {"BUY": _("buy %(currency)s"), "SELL": _("sell %(currency)s")}

#: MKT-10: a trade's side from the customer's point of view, naming the base currency.
TRADE_SIDE_LABELS = {"BUY": _("bought %(currency)s"), "SELL": _("sold %(currency)s")}

#: Why an order closed (``kantor.market.models.CloseReason``), as a customer reads it.
CLOSE_REASON_LABELS = {
    "FILLED": _("filled"),
    "EXHAUSTED": _("filled"),
    "CANCELLED": _("cancelled"),
    "SELF_MATCH": _("cancelled: it met your own order"),
    "PRICE_BAND": _("cancelled: the rate was too far from the market rate"),
    "BELOW_MINIMUM": _("cancelled: the rest was below the minimum"),
}


@register.filter
def iban(value: str) -> str:
    """An IBAN in groups of four, as banks print it (easier to read out and to
    compare, and it wraps on a phone); anything else as it is."""
    try:
        return IBAN(value).formatted
    except (SchwiftyException, ValueError, TypeError):
        return value


@register.filter
def rate(value: Decimal | None) -> str:
    """``Decimal("4.31000000")`` → ``4,3100`` in Polish; finer rates keep their digits."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    shown = value.quantize(Decimal(1).scaleb(-RATE_DECIMALS))
    if shown != value:
        shown = value.normalize()
    return number_format(shown)


@register.filter
def side_label(order) -> str:
    """``buy EUR`` / ``sell EUR`` for an order (or anything with ``side`` and ``pair``)."""
    label = SIDE_LABELS.get(order.side)
    return str(label % {"currency": str(order.pair)[:3]}) if label else order.side


@register.filter
def trade_side_label(trade, pair) -> str:
    """``bought EUR`` / ``sold EUR``: the customer's side of a trade in ``pair``."""
    label = TRADE_SIDE_LABELS.get(trade.side)
    return str(label % {"currency": str(pair)[:3]}) if label else trade.side


@register.filter
def close_label(order) -> str:
    """Why the order closed; a cancel with a reason was the operator's (MKT-9)."""
    if order.close_reason == "CANCELLED" and order.cancel_reason:
        return str(_("cancelled by Kantor"))
    return str(CLOSE_REASON_LABELS.get(order.close_reason, order.close_reason))


@register.filter
def filled_percent(order) -> int:
    """How much of the volume has traded, as a whole percentage (100 only when done)."""
    if order.close_reason in ("FILLED", "EXHAUSTED"):
        return 100
    if not order.volume_minor:
        return 0
    return min(99, order.filled_in_volume_currency * 100 // order.volume_minor)


@register.filter
def reserved(order) -> Money:
    """MKT-2: what the order still holds of the customer's reserved balance."""
    return Money.from_minor(order.still_reserved_minor, order.sold_currency)
