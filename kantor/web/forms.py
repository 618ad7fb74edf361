"""Panel forms: what a customer types, checked for form before any rule runs.

The market's rules (MKT-1..8, FEE-2, MON-3 decimals) are the market's to
check (``kantor.market.validation``); the form only makes sure the values
are of the right kind, accepts the decimal comma a Polish customer types,
and carries the refusal the action raised back to the field it concerns.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kantor.domain.money import CurrencyPair
from kantor.market.models import BuySell

__all__ = ["OrderForm", "parse_decimal"]

_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def parse_decimal(text: str) -> Decimal | None:
    """``1 000,50`` or ``1000.50`` → ``Decimal("1000.50")``; None if not a plain number."""
    raw = re.sub(r"[\s\u00a0\u202f]", "", text or "").replace(",", ".")
    return Decimal(raw) if _NUMBER.match(raw) else None


class OrderForm(forms.Form):
    """MKT-1: side, volume in either currency of the pair, limit rate."""

    side = forms.ChoiceField(label=_("I want to"), widget=forms.RadioSelect)
    volume = forms.CharField(label=_("Amount"), max_length=20)
    volume_currency = forms.ChoiceField(label=_("Amount in"))
    limit_price = forms.CharField(label=_("Limit rate"), max_length=20)
    #: the idempotency key of the confirmed order (a repeated confirm books nothing twice)
    submit_id = forms.CharField(required=False, max_length=36, widget=forms.HiddenInput)

    def __init__(self, pair: CurrencyPair, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pair = pair
        base, quote = pair.base.code, pair.quote.code
        self.fields["side"].choices = [
            (BuySell.BUY, pgettext_lazy("I want to", "buy %(currency)s") % {"currency": base}),
            (BuySell.SELL, pgettext_lazy("I want to", "sell %(currency)s") % {"currency": base}),
        ]
        self.fields["volume_currency"].choices = [(base, base), (quote, quote)]
        for name, hint in (("volume", "1000,00"), ("limit_price", "4,3000")):
            self.fields[name].widget.attrs.update(
                inputmode="decimal", autocomplete="off", placeholder=hint
            )
        self.fields["limit_price"].help_text = _(
            "%(quote)s per 1 %(base)s: the highest rate you buy at, the lowest you sell at."
        ) % {"quote": quote, "base": base}

    def _positive(self, name: str) -> Decimal:
        value = parse_decimal(self.cleaned_data[name])
        if value is None:
            raise forms.ValidationError(_("Enter a number, e.g. 1250,50."), code="invalid")
        if value <= 0:
            raise forms.ValidationError(_("Enter an amount greater than zero."), code="invalid")
        return value

    def clean_volume(self) -> Decimal:
        return self._positive("volume")

    def clean_limit_price(self) -> Decimal:
        return self._positive("limit_price")

    def clean_submit_id(self) -> str:
        value = self.cleaned_data["submit_id"].strip()
        if not value:
            return ""
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise forms.ValidationError(
                _("The form has expired: review the order again.")
            ) from None

    def order_args(self) -> tuple:
        """The arguments of ``place_order`` / ``preview_order`` after the customer."""
        data = self.cleaned_data
        return (
            self.pair.code,
            data["side"],
            data["volume"],
            data["volume_currency"],
            data["limit_price"],
        )
