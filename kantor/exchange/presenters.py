"""How the exchange app's orders read outside: the API (API-4) and the CLI print the same.

Amounts are decimal strings at the currency's minor unit, rates padded to the
pair's decimals, timestamps UTC with milliseconds (``kantor.api.formats``,
the Walutomat wire formats); ``deadlineLocal`` is the deadline on the Warsaw
clock (LOCK-6).
"""

from __future__ import annotations

from kantor.api.formats import format_amount, format_rate, format_ts
from kantor.domain.calendar import to_warsaw
from kantor.domain.money import CurrencyPair
from kantor.domain.ratelock import LockedOrder
from kantor.rates.errors import RatesError

from . import conf
from .errors import ExchangeError
from .models import DepositOrder, LockStatus, RateLockOrder

__all__ = ["deposit_order_view", "lock_order_view", "lock_preview_view"]


def _ts(moment) -> str | None:
    return format_ts(moment) if moment else None


def _terms(pair: CurrencyPair, o: LockedOrder | RateLockOrder) -> dict:
    return {
        "currencyPair": pair.code,
        "rate": format_rate(o.rate, pair),
        "midRate": format_rate(o.mid, pair),
        "buyRate": format_rate(o.ask, pair),
        "sellRate": format_rate(o.bid, pair),
        "buyMargin": format_rate(o.mid - o.bid, pair),
        "sellMargin": format_rate(o.ask - o.mid, pair),
        "volume": format_amount(o.amount),
        "volumeCurrency": o.amount.currency.code,
        "amountDue": format_amount(o.amount_due),
        "amountDueCurrency": o.amount_due.currency.code,
        "proceeds": format_amount(o.proceeds),
        "proceedsCurrency": o.proceeds.currency.code,
        "operatorAccount": conf.operator_bank_account(o.amount_due.currency.code),
        "deadlineTs": format_ts(o.deadline),
        "deadlineLocal": to_warsaw(o.deadline).isoformat(),
    }


def lock_order_view(order: RateLockOrder) -> dict:
    data = {
        "orderId": str(order.pk),
        "submitId": order.submit_id or None,
        "status": order.status,
        "buySell": order.side,
        "transferTitle": order.title,
        "placedTs": format_ts(order.placed_at),
        "payoutAccountId": order.payout_account_id,
        "paidTs": _ts(order.paid_at),
        "executedTs": _ts(order.executed_at),
        "exchangeId": str(order.exchange_id) if order.exchange_id else None,
        "payoutError": order.payout_error or None,
        "cancelledTs": _ts(order.cancelled_at),
        "cancelReason": order.cancel_reason or None,
        **_terms(order.currency_pair, order),
    }
    if order.status == LockStatus.CANCELLED:
        data |= {
            "damagesAmount": format_amount(order.damages),
            "damagesOwed": format_amount(order.damages_owed),
            "damagesCurrency": order.damages.currency.code,
        }
    return data


def lock_preview_view(preview: LockedOrder, payout_account_id: int | None) -> dict:
    return {
        "orderId": "",
        "status": "preview",
        "buySell": preview.side.name,
        "transferTitle": "",
        "placedTs": format_ts(preview.placed_at),
        "payoutAccountId": payout_account_id,
        **_terms(preview.pair, preview),
    }


def _indicative(order: DepositOrder) -> str | None:
    from .actions import indicative_plan

    try:
        plan = indicative_plan(order)
    except (RatesError, ExchangeError):
        return None
    return format_rate(plan.rate, plan.pair)


def deposit_order_view(order: DepositOrder) -> dict:
    data = {
        "orderId": str(order.pk) if order.title else "",
        "submitId": order.submit_id or None,
        "status": order.status,
        "currencyPair": order.pair,
        "buySell": order.side,
        "volume": format_amount(order.volume),
        "volumeCurrency": order.volume_currency,
        "payoutAccountId": order.payout_account_id,
        "transferTitle": order.title,
        "operatorAccount": conf.operator_bank_account(order.volume_currency),
        "createdTs": format_ts(order.created_at),
        "payoutError": order.payout_error or None,
        "failure": order.failure or None,
        "closedTs": format_ts(order.closed_at) if order.closed_at else None,
    }
    if order.status == "open":
        data["indicativeRate"] = _indicative(order)
    if order.exchange_id:
        exchange = order.exchange
        data |= {
            "exchangeId": str(exchange.pk),
            "soldAmount": format_amount(exchange.sold),
            "boughtAmount": format_amount(exchange.bought),
            "boughtCurrency": exchange.bought_currency,
        }
    return data
