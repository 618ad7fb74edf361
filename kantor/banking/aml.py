"""AML-2: every transfer in or out above the equivalent of 15 000 EUR is flagged.

The equivalent is taken at the mid rates in force at the transfer's moment
("the day's rate"), through PLN: ``amount × PLN/XXX ÷ PLN/EUR``, compared
unrounded with the threshold ("above" is strictly above: a transfer worth
15 000.00 EUR is not flagged, 15 000.002 is), and kept rounded half-up to
the cent for the report (a valuation, not a payment: MON-2).

Decisions: a transfer older than the stored rate history (an old statement)
is valued at the latest rate known, the nearest estimate there is; when no
rate is known at all the transfer is flagged anyway, with no EUR amount — a
compliance officer would rather look once too often than miss a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from kantor.domain.money import MONEY_CONTEXT, Money, round_half_up
from kantor.rates.errors import NoRateForPair
from kantor.rates.queries import pln_mid

from .conf import aml_threshold

__all__ = ["AmlCheck", "check_threshold", "eur_equivalent"]


@dataclass(frozen=True)
class AmlCheck:
    flagged: bool
    #: None when no rate was available.
    eur: Decimal | None


def eur_equivalent(money: Money, when: datetime) -> Decimal:
    """The exact EUR value of ``money`` at the mids in force at ``when`` (or NoRateForPair)."""
    if money.currency.code == "EUR":
        return money.amount
    pln = MONEY_CONTEXT.multiply(money.amount, pln_mid(money.currency.code, when))
    return MONEY_CONTEXT.divide(pln, pln_mid("EUR", when))


def check_threshold(money: Money, when: datetime) -> AmlCheck:
    """AML-2: is ``money`` strictly above the threshold's equivalent?"""
    try:
        eur = eur_equivalent(money, when)
    except NoRateForPair:
        try:
            eur = eur_equivalent(money, timezone.now())
        except NoRateForPair:
            return AmlCheck(True, None)
    return AmlCheck(eur > aml_threshold().amount, round_half_up(eur, "EUR"))
