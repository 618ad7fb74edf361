"""What the panel tells a customer when the market refuses an order or a cancel.

The market raises exceptions with stable codes (``kantor.market.errors``, the
ledger's ``INSUFFICIENT_FUNDS``, the money domain's ``INVALID_AMOUNT``, the
rates app's ``CURRENCY_NOT_SUPPORTED``); the API shows them under Walutomat's
keys, the panel as these sentences, on the field they concern. ``REFUSED``
lists the exception types a view catches around an action: refusals, never
an unexpected error.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kantor.domain.money import Money, MoneyError, currency
from kantor.ledger.posting import InsufficientFunds
from kantor.market.errors import MarketError
from kantor.market.pairs import MarketPair
from kantor.rates.errors import RatesError

from .templatetags.kantor import money

__all__ = ["REFUSED", "cancel_refusal", "order_refusal"]

REFUSED = (MarketError, InsufficientFunds, MoneyError, RatesError)


def order_refusal(
    exc: Exception, market: MarketPair, volume_currency: str = ""
) -> tuple[str | None, str]:
    """(form field or None, message) for a refused ``place_order``/``preview_order``."""
    code = getattr(exc, "code", "")
    data = getattr(exc, "error_data", None) or {}
    pair = market.pair
    if isinstance(exc, InsufficientFunds):
        return None, _(
            "Insufficient funds: the order needs %(needed)s, and %(available)s is available. "
            "Deposit more, or lower the amount."
        ) % {"needed": money(exc.needed), "available": money(exc.available)}
    if code == "AMOUNT_TOO_SMALL":
        return "volume", _(
            "The order is too small: it must be worth at least %(base)s and %(quote)s."
        ) % {"base": money(market.min_base), "quote": money(market.min_quote)}
    if code == "FEES_IN_ARREARS":
        return None, _(
            "You have unpaid fees (%(amount)s): new orders can be placed once they are paid."
        ) % {"amount": _amounts(data.get("amountDue", ""))}
    if code == "CUSTOMER_INACTIVE":
        return None, _(
            "Your account cannot place orders at the moment. Please contact our support."
        )
    if code == "INVALID_LIMIT_PRICE":
        return "limit_price", _("The rate may have at most %(decimals)s decimal places.") % {
            "decimals": pair.rate_decimals
        }
    if code == "INVALID_AMOUNT" and volume_currency:
        cur = currency(volume_currency)
        return "volume", _(
            "An amount in %(currency)s may have at most %(decimals)s decimal places."
        ) % {"currency": cur.code, "decimals": cur.minor_units}
    if code == "VOLUME_CURRENCY_NOT_IN_PAIR":
        return "volume_currency", _("Choose %(base)s or %(quote)s.") % {
            "base": pair.base.code,
            "quote": pair.quote.code,
        }
    if code == "INVALID_SIDE":
        return "side", _("Choose whether you buy or sell.")
    if code == "CURRENCY_NOT_SUPPORTED":
        return None, _("This currency pair is not traded at the moment.")
    return None, _("The order cannot be accepted (%(code)s).") % {"code": code or "ERROR"}


def _amounts(text: str) -> str:
    """``"1.00 PLN, 2.50 EUR"`` (the API's form in ``error_data``) as the customer reads it."""
    shown = []
    for item in text.split(","):
        amount, _space, code = item.strip().partition(" ")
        shown.append(money(Money(amount, code)) if amount and code else item.strip())
    return ", ".join(shown)


def cancel_refusal(exc: Exception) -> str:
    """The message for a refused ``cancel_order``."""
    if getattr(exc, "code", "") == "ORDER_NOT_FOUND":
        return _("There is no such order among yours.")
    return _("The order cannot be cancelled (%(code)s).") % {
        "code": getattr(exc, "code", "") or "ERROR"
    }
