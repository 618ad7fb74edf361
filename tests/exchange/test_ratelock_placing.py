"""Placing a rate-locked order: LOCK-3..6, LOCK-12..14 (``003`` pkt 11-13, 16-17, 23-27)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from kantor.domain.calendar import WARSAW, ServiceHours
from kantor.domain.money import Money
from kantor.domain.ratelock import LockLimitExceeded, QuoteExpired, ServiceClosed
from kantor.domain.titles import is_valid
from kantor.exchange.actions import place_rate_lock, preview_rate_lock, quote_rate_lock
from kantor.exchange.conf import operator_bank_account
from kantor.exchange.errors import ExchangeError, QuoteInvalid
from kantor.exchange.models import LockStatus, RateLockOrder
from kantor.exchange.notifications import rate_lock_confirmation
from kantor.notifications.dispatch import dispatch_due
from kantor.notifications.models import OutboxMessage
from tests.exchange.conftest import DEADLINE, T0, lock_ready, place, publish
from tests.threads import in_threads

RATES = {"mid": "4.3000", "bid": "4.2500", "ask": "4.3500"}


@pytest.fixture
def ready(customer):
    return lock_ready(customer)


def test_the_rate_of_the_start_applies_even_if_the_market_moved_LOCK_3(ready):
    publish(ts=T0.astimezone(UTC), **RATES)
    quote = quote_rate_lock(ready, "EURPLN", now=T0)
    publish(mid="4.5000", bid="4.4500", ask="4.5500", ts=T0.astimezone(UTC) + timedelta(seconds=30))
    order = place_rate_lock(ready, quote.pk, "BUY", "100.00", "EUR", now=T0 + timedelta(seconds=90))
    assert order.rate == Decimal("4.3500")
    assert order.amount_due == Money("435.00", "PLN")


def test_placing_after_the_quote_expired_must_start_again_LOCK_3(ready):
    publish(ts=T0.astimezone(UTC), **RATES)
    quote = quote_rate_lock(ready, "EURPLN", now=T0)
    place_rate_lock(ready, quote.pk, "BUY", "1.00", "EUR", now=T0 + timedelta(minutes=2))
    with pytest.raises(QuoteExpired):
        place_rate_lock(ready, quote.pk, "BUY", "1.00", "EUR", now=T0 + timedelta(seconds=121))


def test_an_unknown_or_foreign_quote_is_refused_LOCK_3(ready, other_customer):
    lock_ready(other_customer)
    publish(ts=T0.astimezone(UTC), **RATES)
    foreign = quote_rate_lock(other_customer, "EURPLN", now=T0)
    for quote_id in (foreign.pk, "not-a-uuid"):
        with pytest.raises(QuoteInvalid) as err:
            place_rate_lock(ready, quote_id, "BUY", "1.00", "EUR", now=T0)
        assert err.value.code == "UNKNOWN_QUOTE"


def test_the_amount_due_and_a_unique_title_are_fixed_at_placing_LOCK_5(ready):
    first = place(ready, "BUY", "1000.00", "EUR")
    second = place(ready, "SELL", "500.00", "EUR", when=T0 + timedelta(minutes=5))
    assert (first.amount_due, first.proceeds) == (Money("4350.00", "PLN"), Money("1000.00", "EUR"))
    assert (second.amount_due, second.proceeds) == (Money("500.00", "EUR"), Money("2125.00", "PLN"))
    assert first.title != second.title
    assert all(is_valid(o.title) and o.title.startswith("KNR") for o in (first, second))
    assert (first.mid, first.bid, first.ask) == (Decimal("4.3"), Decimal("4.25"), Decimal("4.35"))


def test_the_amount_can_be_given_as_what_the_customer_pays_LOCK_5(ready):
    order = place(ready, "BUY", "1000.00", "PLN")
    # K = 1000 / 4.35 → 229.88 EUR; due 229.88 × 4.35 = 999.978 → 999.98 PLN (up)
    assert (order.amount, order.amount_due) == (Money("229.88", "EUR"), Money("999.98", "PLN"))


def test_the_deadline_is_d_plus_7_at_18_warsaw_LOCK_6(ready):
    assert place(ready).deadline == DEADLINE
    late_evening = datetime(2026, 3, 2, 23, 59, tzinfo=WARSAW)  # 22:59 UTC: still day D
    assert place(ready, when=late_evening).deadline == DEADLINE


def test_the_order_cannot_be_cancelled_by_the_customer_LOCK_4(ready):
    """Irrevocable: there is no customer action that cancels it; only LOCK-9/10 do."""
    from kantor.exchange import actions

    order = place(ready)
    assert not any("cancel_rate_lock" in name for name in actions.__all__)
    assert order.status == LockStatus.AWAITING_PAYMENT


def test_limit_of_10000_pln_before_the_conditions_are_met_LOCK_12(customer):
    lock_ready(customer, verified=False)
    place(customer, "BUY", "2000.00", "EUR")  # 8700.00 PLN at the locked ask
    with pytest.raises(LockLimitExceeded) as err:
        place(customer, "BUY", "300.00", "EUR", when=T0 + timedelta(minutes=5))  # +1305 PLN
    assert err.value.code == "LOCK_LIMIT_EXCEEDED"
    assert err.value.error_data == {"limit": "10000.00 PLN", "exposure": "10005.00 PLN"}
    place(customer, "BUY", "1300.00", "PLN", when=T0 + timedelta(minutes=6))  # exactly up to it
    assert RateLockOrder.objects.count() == 2


def test_limit_of_100000_pln_once_the_conditions_are_met_LOCK_12(ready):
    place(ready, "BUY", "20000.00", "EUR")  # 87 000 PLN
    with pytest.raises(LockLimitExceeded):
        place(ready, "SELL", "3100.00", "EUR", when=T0 + timedelta(minutes=5))  # +13 175 PLN


def test_paid_orders_no_longer_count_towards_the_limit_LOCK_12(customer):
    lock_ready(customer, verified=False)
    order = place(customer, "BUY", "2000.00", "EUR")
    RateLockOrder.objects.filter(pk=order.pk).update(status=LockStatus.PAID_WAITING)
    place(customer, "BUY", "2000.00", "EUR", when=T0 + timedelta(minutes=5))


def test_cross_pairs_count_at_the_pln_rate_of_acceptance_LOCK_12(customer):
    lock_ready(customer, verified=False)
    publish("EURPLN", ts=T0.astimezone(UTC), **RATES)  # EUR mid 4.30
    place(customer, "BUY", "2300.00", "EUR", pair="EURUSD", rates={
        "mid": "1.1000", "bid": "1.0900", "ask": "1.1100"})  # fmt: skip
    with pytest.raises(LockLimitExceeded):  # 2300 + 30 EUR at 4.30 = 10 019 PLN
        place(customer, "SELL", "30.00", "EUR", pair="EURUSD", when=T0 + timedelta(minutes=1),
              rates={"mid": "1.1000", "bid": "1.0900", "ask": "1.1100"})  # fmt: skip


def test_placing_only_in_the_hours_of_basic_orders_LOCK_13(ready, settings):
    settings.KANTOR_ORDER_HOURS = ServiceHours.business_days(time(8, 0), time(20, 0))
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=WARSAW)
    with pytest.raises(ServiceClosed) as err:
        place(ready, when=saturday)
    assert err.value.code == "SERVICE_CLOSED"
    assert place(ready, when=T0).status == LockStatus.AWAITING_PAYMENT  # Monday 10:00


def test_unpaid_damages_block_new_locked_orders_FEE_2(ready):
    order = place(ready)
    RateLockOrder.objects.filter(pk=order.pk).update(
        status=LockStatus.CANCELLED, damages_minor=10000
    )
    with pytest.raises(ExchangeError) as err:
        place(ready, when=T0 + timedelta(minutes=5))
    assert err.value.code == "DAMAGES_OWED"


def test_a_dry_run_fixes_nothing_LOCK_5(ready):
    publish(ts=T0.astimezone(UTC), **RATES)
    quote = quote_rate_lock(ready, "EURPLN", now=T0)
    preview = preview_rate_lock(ready, quote.pk, "BUY", "100.00", "EUR", now=T0)
    assert preview.amount_due == Money("435.00", "PLN")
    assert RateLockOrder.objects.count() == 0


def test_the_payout_account_must_be_the_customers_own_in_the_currency_received_LOCK_9(ready):
    publish(ts=T0.astimezone(UTC), **RATES)
    quote = quote_rate_lock(ready, "EURPLN", now=T0)
    with pytest.raises(ExchangeError) as err:
        place_rate_lock(
            ready, quote.pk, "BUY", "100.00", "EUR", payout_account_id=ready.pln_account.pk, now=T0
        )
    assert err.value.code == "PAYOUT_CURRENCY_MISMATCH"
    order = place_rate_lock(
        ready, quote.pk, "BUY", "100.00", "EUR", payout_account_id=ready.eur_account.pk, now=T0
    )
    assert order.payout_account == ready.eur_account


@pytest.mark.parametrize(("lang", "words"), [("pl", "Kwota do wpłaty"), ("en", "Amount due")])
def test_the_confirmation_email_names_everything_LOCK_14(ready, mailoutbox, lang, words, settings):
    """Written to the outbox with the order (DOC-3), sent by the dispatcher."""
    settings.LANGUAGE_CODE = lang
    order = place(ready, "BUY", "1000.00", "EUR")
    queued = OutboxMessage.objects.get(key=f"exchange.rate_lock_confirmation:{order.pk}")
    assert (queued.recipient, queued.language) == (ready.email, lang)
    assert mailoutbox == []  # nothing leaves before the dispatcher runs
    assert dispatch_due().sent == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [ready.email]
    body = mailoutbox[0].body
    grouped = " ".join(order.title[i : i + 4] for i in range(0, 12, 4))
    for text in (
        words,
        "4.3500",  # the locked rate
        "4.3000",  # the mid at acceptance
        "0.0500",  # the margins Mk and Ms
        "4350.00 PLN",  # the amount due
        grouped,  # the title
        operator_bank_account("PLN"),  # the operator's account for PLN
        "2026-03-09 18:00",  # the exact deadline
    ):
        assert text in body, text
    assert grouped in mailoutbox[0].subject
    assert rate_lock_confirmation(order, "en")[0].startswith("Your rate-locked order")


def test_a_placing_rolled_back_leaves_no_confirmation_behind_LOCK_14_DOC_3(ready, mailoutbox):
    """The message is written in the placing transaction: no order, no e-mail."""
    with pytest.raises(RuntimeError), transaction.atomic():
        place(ready, "BUY", "100.00", "EUR")
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the caller's transaction fails after placing")
    assert not RateLockOrder.objects.exists()
    assert not OutboxMessage.objects.exists()
    dispatch_due()
    assert mailoutbox == []


@pytest.mark.postgres
def test_two_placements_at_once_cannot_both_slip_under_the_limit_LOCK_12(customer):
    """The customer row is locked while placing: the second sees the first."""
    import threading

    lock_ready(customer, verified=False)
    publish(ts=T0.astimezone(UTC), **RATES)
    quotes = [quote_rate_lock(customer, "EURPLN", now=T0) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def place_one(quote) -> None:
        try:
            barrier.wait(timeout=10)
            place_rate_lock(customer, quote.pk, "BUY", "1500.00", "EUR", now=T0)  # 6525 PLN
            outcomes.append("placed")
        except LockLimitExceeded:
            outcomes.append("refused")

    in_threads(place_one, quotes)
    assert sorted(outcomes) == ["placed", "refused"]
    assert RateLockOrder.objects.count() == 1
