"""Trade commission and withdrawal fees (FEE-1, FEE-2, WD-3).

FEE-1 (``002`` §29.1, §30): 0.2% of each trade less the customer's discounts,
at least 0.01 of the currency, charged at the trade from the funds the
customer receives. FEE-2 (§29.3) lets the operator take fees from the balance
without asking, which is why the commission is computed here as a plain amount
and booked by the ledger together with the trade.

WD-3 (§29.2): the withdrawal fee depends on the destination bank and the
currency; the table is data the operator edits (the Django app stores it),
``DEFAULT_WITHDRAWAL_FEE_TABLE`` is the SPEC's reading of the garbled table in
the seed. The lookup is a pure function of the table.

Both amounts are fees the customer pays, so both are rounded up
(``round_customer_pays``, MON-2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kantor.domain.money import (
    MONEY_CONTEXT,
    Currency,
    Money,
    MoneyError,
    currency,
    round_customer_pays,
)

__all__ = [
    "ANY_BANK",
    "ANY_CURRENCY",
    "DEFAULT_COMMISSION_RATE",
    "DEFAULT_WITHDRAWAL_FEE_TABLE",
    "FeeError",
    "WithdrawalFeeNotConfigured",
    "WithdrawalFeeRule",
    "polish_bank_number",
    "trade_commission",
    "withdrawal_fee",
]

#: FEE-1: 0.2% of the trade.
DEFAULT_COMMISSION_RATE = Decimal("0.002")

#: WD-3 wildcards: a rule for every bank not named elsewhere / every currency.
ANY_BANK: frozenset[str] = frozenset()
ANY_CURRENCY = "*"


class FeeError(MoneyError):
    """Invalid fee parameters (negative rate, discount outside 0..1, bad table)."""

    code = "INVALID_FEE_PARAMETER"


class WithdrawalFeeNotConfigured(FeeError):
    """WD-3: the fee table has no row for this bank and currency."""

    code = "WITHDRAWAL_FEE_NOT_CONFIGURED"


# -- FEE-1 trade commission --------------------------------------------------


def trade_commission(
    received: Money,
    rate: Decimal = DEFAULT_COMMISSION_RATE,
    discount: Decimal = Decimal(0),
) -> Money:
    """FEE-1: the commission on a trade in which the customer receives ``received``.

    * ``discount`` is a fraction *of the rate* (0.25 = 25% off: 0.2% becomes
      0.15%), not percentage points; it must be within 0..1.
    * Charged in the currency the customer receives (§30.2), rounded up to the
      minor unit like every amount the customer pays (MON-2).
    * Never below one minor unit of the currency (§29.1 "nie mniej niż 0,01
      jednostki waluty"; for a currency published with 0 decimals that is 1).
    * Never more than ``received``: a fee cannot turn a trade into a debt.
    * Decision: when the effective rate is zero (``rate == 0`` or a 100%
      discount) no commission is charged at all; the minimum applies only to a
      commission the operator actually charges.
    """
    rate = Decimal(rate)
    discount = Decimal(discount)
    if not 0 <= rate <= 1:
        raise FeeError(f"commission rate {rate} is not a fraction within 0..1")
    if not 0 <= discount <= 1:
        raise FeeError(f"discount {discount} is not a fraction within 0..1")
    if received.is_negative:
        raise FeeError(f"cannot charge commission on a negative amount {received}")
    cur = received.currency
    effective_rate = MONEY_CONTEXT.multiply(rate, 1 - discount)
    if effective_rate == 0 or not received:
        return Money.zero(cur)
    raw = MONEY_CONTEXT.multiply(received.amount, effective_rate)
    fee = max(round_customer_pays(raw, cur), cur.quantum)
    return Money(min(fee, received.amount), cur)


# -- WD-3 withdrawal fee -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class WithdrawalFeeRule:
    """One row of the WD-3 table: banks × currency → fee in PLN.

    ``banks`` holds 3-digit Polish bank numbers (the first three digits of the
    sorting code in a Polish IBAN); ``ANY_BANK`` (empty) matches every bank,
    including foreign ones. ``currency`` is an ISO code or ``ANY_CURRENCY``.
    The fee is always stated in PLN and converted at withdrawal time.
    """

    banks: frozenset[str]
    currency: str
    fee_pln: Money
    label: str = ""

    def __post_init__(self) -> None:
        if self.fee_pln.currency.code != "PLN" or self.fee_pln.is_negative:
            raise FeeError(f"withdrawal fee must be a non-negative PLN amount, not {self.fee_pln}")
        if any(len(b) != 3 or not b.isdigit() for b in self.banks):
            raise FeeError(f"bank numbers must have 3 digits: {sorted(self.banks)}")
        if self.currency != ANY_CURRENCY:
            currency(self.currency)  # refuses unknown codes

    def matches(self, bank_number: str | None, cur: Currency) -> bool:
        bank_ok = not self.banks or bank_number in self.banks
        return bank_ok and self.currency in (ANY_CURRENCY, cur.code)

    @property
    def specificity(self) -> tuple[bool, bool]:
        """Named banks beat ``ANY_BANK``; then a named currency beats ``*``."""
        return (bool(self.banks), self.currency != ANY_CURRENCY)


def polish_bank_number(iban: str) -> str | None:
    """The 3-digit bank number of a Polish IBAN, ``None`` for any other country.

    ``PLkk BBBB BBBC ...``: the 8-digit sorting code follows the check digits
    and its first three digits name the bank. The IBAN is assumed validated
    (BANK-1); spaces are ignored.
    """
    compact = "".join(iban.split()).upper()
    if not compact.startswith("PL") or len(compact) < 7 or not compact[4:7].isdigit():
        return None
    return compact[4:7]


def withdrawal_fee(
    table: Iterable[WithdrawalFeeRule],
    bank_number: str | None,
    cur: Currency | str,
    pln_rate: Decimal,
) -> Money:
    """WD-3: the fee for a withdrawal in ``cur`` to bank ``bank_number``.

    The most specific matching row wins (see ``WithdrawalFeeRule.specificity``);
    two equally specific matching rows are a configuration error.
    ``bank_number`` is ``None`` for a foreign bank (only ``ANY_BANK`` rows
    match). ``pln_rate`` is PLN per one unit of ``cur`` (e.g. the EUR/PLN mid
    rate at withdrawal; ignored for PLN): the PLN fee is divided by it and
    rounded up, since the customer pays it. The caller deducts the fee from
    the amount paid out.
    """
    c = currency(cur)
    matching = [rule for rule in table if rule.matches(bank_number, c)]
    if not matching:
        raise WithdrawalFeeNotConfigured(f"no withdrawal fee for bank {bank_number} in {c}")
    best = max(rule.specificity for rule in matching)
    winners = [rule for rule in matching if rule.specificity == best]
    if len(winners) > 1:
        raise FeeError(f"ambiguous withdrawal fee rows for bank {bank_number} in {c}")
    fee_pln = winners[0].fee_pln
    if c.code == "PLN":
        return fee_pln
    if not fee_pln:
        return Money.zero(c)
    pln_rate = Decimal(pln_rate)
    if pln_rate <= 0:
        raise FeeError(f"PLN rate {pln_rate} for {c} must be positive")
    return Money(round_customer_pays(MONEY_CONTEXT.divide(fee_pln.amount, pln_rate), c), c)


# -- the SPEC's default table (WD-3) -----------------------------------------

#: PKO BP and its predecessors' numbers. 144 was Nordea Bank Polska, taken
#: over by PKO BP in 2013 (the bank registry lists 144 under PKO BP now).
_FREE_EVERYWHERE = frozenset({"102", "144"})

#: The other banks named in ``002`` §29.2, by bank number, with successors
#: where a named bank was merged into another and its numbers live on. The
#: numbers follow the NBP bank registry as shipped in ``schwifty``:
#: 109 BZ WBK → Santander Bank Polska (→ Erste Bank Polska);
#: 150 Kredyt Bank (merged into BZ WBK in 2013);
#: 124 Pekao SA (195 Idea Bank, merged into Pekao, is not named: other);
#: 114 BRE Bank = mBank, also MultiBank (an mBank brand, no own number);
#: 116 Millennium (147 Euro Bank, merged into Millennium, is not named: other);
#: 249 Alior, also T-Mobile Usługi Bankowe (an Alior brand, no own number);
#: 105 ING Bank Śląski;
#: 175 Raiffeisen Polbank (now BNP Paribas Bank Polska; BNP's own 203 is not named);
#: 191 Deutsche Bank PBC (retail, moved to Santander) and 188 Deutsche Bank Polska.
#: Uncertain, left to the operator: 106 (Bank BPH, partly merged into Alior) is
#: not included; Citi Handlowy (103) is not named in the seed, so "other".
_NAMED_BANKS = frozenset({"109", "150", "124", "114", "116", "249", "105", "175", "191", "188"})

DEFAULT_WITHDRAWAL_FEE_TABLE: tuple[WithdrawalFeeRule, ...] = (
    WithdrawalFeeRule(_FREE_EVERYWHERE, ANY_CURRENCY, Money("0.00", "PLN"), "PKO BP, Nordea"),
    WithdrawalFeeRule(_NAMED_BANKS, "PLN", Money("0.00", "PLN"), "named banks, PLN"),
    WithdrawalFeeRule(_NAMED_BANKS, ANY_CURRENCY, Money("5.00", "PLN"), "named banks, other"),
    WithdrawalFeeRule(ANY_BANK, "PLN", Money("4.00", "PLN"), "other banks, PLN"),
    WithdrawalFeeRule(ANY_BANK, ANY_CURRENCY, Money("9.00", "PLN"), "other banks, other"),
)
