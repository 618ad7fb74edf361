"""Helpers shared by the exchange app's actions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from kantor.customers.models import BankAccount, Customer
from kantor.domain.money import CurrencyPair, Money, currency
from kantor.domain.ratelock import Side
from kantor.ledger import accounts
from kantor.ledger.posting import InsufficientFunds
from kantor.rates.queries import pair_config

from .. import conf
from ..errors import ExchangeError, InvalidExchange, NotFound


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def side_of(value: Side | str) -> Side:
    if isinstance(value, Side):
        return value
    try:
        return Side[str(value).strip().upper()]
    except KeyError:
        raise InvalidExchange(
            f"{value!r} is neither BUY nor SELL", code="INVALID_SIDE", error_data={"buySell": value}
        ) from None


def offered_pair(pair: CurrencyPair | str) -> CurrencyPair:
    """MON-3: the pair as the operator configured it (its rate decimals); raises
    ``PairNotOffered`` (CURRENCY_NOT_SUPPORTED) otherwise."""
    return pair_config(pair).pair


def money(volume: Decimal | str | Money, volume_currency: str | None = None) -> Money:
    """A Money from API/CLI input; unknown currencies are CURRENCY_NOT_SUPPORTED."""
    if isinstance(volume, Money):
        return volume
    return Money(volume, currency(volume_currency or ""))


def require_can_trade(customer: Customer) -> None:
    """The basic agreement is in force and the account not suspended (REG-12, TERM-2)."""
    if not customer.can_trade:
        raise ExchangeError(
            f"the account is {customer.status}: exchanges are not available",
            code="CUSTOMER_INACTIVE",
            api_key="NOT_AUTHORIZED",
            error_data={"status": customer.status},
        )


def require_funds(customer: Customer, needed: Money) -> None:
    """MON-5 checked ahead (dry runs); the ledger checks again under the row lock."""
    account = accounts.available(customer, needed.currency.code)
    if account.balance_minor < needed.minor:
        raise InsufficientFunds(account, account.balance_minor, needed.minor)


def payout_account(customer: Customer, account_id, receives: str) -> BankAccount | None:
    """BANK-1: a payout goes only to the customer's own active account in its currency."""
    if account_id in (None, ""):
        return None
    account = BankAccount.objects.filter(pk=_int(account_id), customer=customer).first()
    if account is None or not account.is_active:
        raise NotFound(
            f"bank account {account_id} is not one of your active accounts",
            code="UNKNOWN_BANK_ACCOUNT",
            api_key="INVALID_ACCOUNT_NUMBER",
            error_data={"payoutAccountId": account_id},
        )
    if account.currency != receives:
        raise InvalidExchange(
            f"the proceeds are in {receives}; account {account.iban} is in {account.currency}",
            code="PAYOUT_CURRENCY_MISMATCH",
            error_data={"payoutAccountId": account_id, "currency": receives},
        )
    return account


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def commission_terms(customer: Customer) -> tuple[Decimal, Decimal]:
    """FEE-1 where the operator charges it: the rate and the customer's discount."""
    return conf.operator_commission_rate(), Decimal(customer.fee_discount or 0)
