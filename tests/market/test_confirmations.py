"""MKT-10, DOC-1, DOC-3: each trade is confirmed by e-mail to both customers with the proof
of purchase and sale attached, and each order that closes is announced, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from kantor.customers.models import Customer
from kantor.market import confirmations
from kantor.market.actions import cancel_order
from kantor.market.models import Order, OrderStatus, Trade
from kantor.notifications.dispatch import dispatch_due
from kantor.notifications.models import Cursor, OutboxMessage, Watch
from tests.documents.test_trade_proof import pdf_text
from tests.documents.trades import TRADED_AT, polish_company, polish_individual, trade_between
from tests.factories import fund
from tests.market.conftest import assert_books_balance, match, place

pytestmark = pytest.mark.django_db
LATER = TRADED_AT + timedelta(minutes=1)


@pytest.fixture
def buyer(db) -> Customer:
    return polish_individual()


@pytest.fixture
def seller(db) -> Customer:
    return polish_company()


def trade_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind="market.trade").order_by("key"))


def test_both_sides_of_a_trade_get_an_email_with_their_proof_MKT_10_DOC_1(
    buyer, seller, mailoutbox
):
    traded = trade_between(buyer, seller)
    assert confirmations.confirm_trades(LATER) == 1
    by_key = {m.key: m for m in trade_messages()}
    trade = traded.trade
    to_buyer = by_key[f"market.trade:{trade.pk}:buyer"]
    to_seller = by_key[f"market.trade:{trade.pk}:seller"]
    assert (to_buyer.recipient, to_seller.recipient) == (buyer.email, seller.email)
    assert to_buyer.language == "pl" and to_buyer.customer == buyer
    assert f"nr {trade.pk}: kupno 33,33 EUR" in to_buyer.subject
    assert "sprzedaż 33,33 EUR" in to_seller.subject
    assert "Otrzymano netto: 33,26 EUR" in to_buyer.body_text
    assert "Otrzymano netto: 144,13 PLN" in to_seller.body_text
    [attached] = to_seller.attachments.all()
    assert attached.content_type == "application/pdf"
    assert attached.filename == f"potwierdzenie-kupna-i-sprzedazy-P2P-{trade.pk}-S.pdf"
    assert "Przedsiębiorstwo Handlowe „Żuraw” sp. z o.o." in pdf_text(bytes(attached.content))

    assert dispatch_due(LATER).sent >= 2
    sent = {m.to[0]: m for m in mailoutbox if m.subject.startswith("Potwierdzenie transakcji")}
    filename, content, mimetype = sent[buyer.email].attachments[0]
    assert mimetype == "application/pdf" and filename.endswith(f"-{trade.pk}-B.pdf")
    assert "Kupiono 33,33 EUR" in pdf_text(content)
    assert_books_balance()


def test_a_rerun_or_a_lost_cursor_sends_nothing_twice_MKT_10_DOC_3(buyer, seller, mailoutbox):
    trade_between(buyer, seller)
    confirmations.run(LATER)
    confirmations.run(LATER)  # nothing new
    assert len(trade_messages()) == 2
    Cursor.objects.update(position=0)  # progress lost (e.g. restored from an old backup)
    confirmations.run(LATER)
    assert len(trade_messages()) == 2
    dispatch_due(LATER)
    dispatch_due(LATER)
    trade_mails = [m for m in mailoutbox if m.subject.startswith("Potwierdzenie transakcji")]
    assert len(trade_mails) == 2


def test_trades_are_confirmed_in_batches_and_none_is_skipped_MKT_10(buyer, seller, settings):
    """Five fills of one resting order; two trades per run."""
    settings.KANTOR_CONFIRMATIONS_BATCH = 2
    with time_machine.travel(TRADED_AT, tick=False):
        trade_between(buyer, seller, volume="10.00", rate="4.3000")
        for _ in range(4):
            place(seller, "SELL", "10.00", "EUR", "4.3000")
            match()
            place(buyer, "BUY", "10.00", "EUR", "4.3000")
            match()
    assert Trade.objects.count() == 5
    done = [confirmations.confirm_trades(LATER) for _ in range(4)]
    assert done == [2, 2, 1, 0]
    keys = {m.key for m in trade_messages()}
    assert keys == {
        f"market.trade:{t.pk}:{s}" for t in Trade.objects.all() for s in ("buyer", "seller")
    }


def test_filled_orders_are_announced_once_DOC_3(buyer, seller):
    traded = trade_between(buyer, seller)
    assert confirmations.notify_closed_orders(LATER) == 2
    assert confirmations.notify_closed_orders(LATER) == 0
    closed = {m.customer_id: m for m in OutboxMessage.objects.filter(kind="market.order_closed")}
    assert closed[buyer.pk].key == f"market.order_closed:{traded.buy.pk}"
    assert closed[buyer.pk].subject == "Zlecenie EUR/PLN zrealizowane: kupno 33,33 EUR"
    body = closed[seller.pk].body_text
    assert "zostało zrealizowane w całości" in body and "Otrzymano netto: 144,13 PLN" in body


def test_a_partly_filled_order_is_watched_until_it_is_cancelled_DOC_3_MKT_9(buyer, seller):
    """60 of 100 EUR sold; the customer cancels the rest: one e-mail, when it closes."""
    with time_machine.travel(TRADED_AT, tick=False):
        trade_between(buyer, seller, volume="100.00", rate="4.3000")  # fills both
        resting = place(seller, "SELL", "100.00", "EUR", "4.3000")
        match()
        fund(buyer, "1000.00", "PLN")
        place(buyer, "BUY", "60.00", "EUR", "4.3000")
        match()
    confirmations.run(LATER)
    announced = set(
        OutboxMessage.objects.filter(kind="market.order_closed").values_list("key", flat=True)
    )
    assert f"market.order_closed:{resting.pk}" not in announced
    assert Watch.objects.filter(ref=resting.pk).exists()

    cancel_order(resting, customer=seller)
    match()
    assert Order.objects.get(pk=resting.pk).status == OrderStatus.CLOSED
    confirmations.run(LATER + timedelta(minutes=1))
    message = OutboxMessage.objects.get(key=f"market.order_closed:{resting.pk}")
    assert "anulowane" in message.subject
    assert "zostało anulowane na Twoje życzenie" in message.body_text
    assert "Sprzedano: 60,00 EUR" in message.body_text
    assert "Zwolniono z blokady: 40,00 EUR" in message.body_text
    assert not Watch.objects.filter(ref=resting.pk).exists()
    assert_books_balance()


def test_an_operator_cancel_gives_its_reason_in_english_too_DOC_3(seller, settings):
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(TRADED_AT, tick=False):
        from tests.market.conftest import set_mid

        set_mid("4.3000", ago=timedelta(minutes=1))
        fund(seller, "100.00", "EUR")
        order = place(seller, "SELL", "50.00", "EUR", "4.4000")
        match()
        confirmations.run(TRADED_AT)  # open: watched
        cancel_order(order, reason="terms breach (TERM-3)")
        match()
    confirmations.run(LATER)
    message = OutboxMessage.objects.get(key=f"market.order_closed:{order.pk}")
    assert message.language == "en"
    assert message.subject == "Order EUR/PLN cancelled: sell 50.00 EUR"
    assert "was cancelled by the operator: terms breach (TERM-3)" in message.body_text
    assert "at the limit rate 4.4000" in message.body_text


def test_the_job_is_registered_with_the_scheduler_MKT_10():
    from kantor.ops import scheduler

    job = {j.name: j for j in scheduler.jobs()}["market.confirmations"]
    assert job.run is confirmations.run and job.every <= timedelta(seconds=10)
