"""LOCK-1, LOCK-2: the additional agreement (``003`` pkt 4-8, 10)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kantor.core.models import AuditLog
from kantor.customers.actions import set_customer_status
from kantor.exchange.actions import (
    allow_new_agreement,
    conclude_agreement,
    end_agreement_by_customer,
    end_agreement_by_operator,
    quote_rate_lock,
)
from kantor.exchange.errors import AgreementError, ExchangeError
from kantor.exchange.models import AgreementStatus, LockStatus, RateLockAgreement
from kantor.exchange.queries import active_agreement
from kantor.ledger.invariants import check_ledger
from tests.exchange.conftest import T0, lock_ready, place, publish


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staff", is_staff=True)


def test_a_customer_bound_by_the_basic_agreement_with_a_phone_concludes_it_LOCK_1(customer):
    agreement = conclude_agreement(customer, now=T0)
    assert agreement.status == AgreementStatus.ACTIVE
    assert active_agreement(customer) == agreement


def test_no_phone_no_agreement_LOCK_1(customer):
    customer.phone = ""
    customer.save(update_fields=["phone"])
    with pytest.raises(AgreementError) as err:
        conclude_agreement(customer, now=T0)
    assert err.value.code == "PHONE_REQUIRED"


@pytest.mark.parametrize("status", ["suspended", "terminated"])
def test_without_the_basic_agreement_in_force_no_agreement_LOCK_1(customer, status):
    customer.status = status
    customer.save(update_fields=["status"])
    with pytest.raises(ExchangeError) as err:
        conclude_agreement(customer, now=T0)
    assert err.value.code == "CUSTOMER_INACTIVE"


def test_concluding_twice_is_refused_LOCK_1(customer):
    conclude_agreement(customer, now=T0)
    with pytest.raises(AgreementError) as err:
        conclude_agreement(customer, now=T0)
    assert err.value.code == "ALREADY_ACTIVE"


def test_without_the_agreement_no_rate_lock_quote_LOCK_2(customer, eurpln):
    with pytest.raises(AgreementError) as err:
        quote_rate_lock(customer, "EURPLN", now=T0)
    assert (err.value.code, err.value.api_key) == ("NO_RATE_LOCK_AGREEMENT", "NOT_AUTHORIZED")


def test_the_customer_ends_it_alone_and_keeps_the_basic_agreement_LOCK_1(customer):
    conclude_agreement(customer, now=T0)
    end_agreement_by_customer(customer, now=T0 + timedelta(days=1))
    customer.refresh_from_db()
    assert active_agreement(customer) is None
    assert customer.can_trade
    conclude_agreement(customer, now=T0 + timedelta(days=2))  # may conclude again


def test_open_locked_orders_are_irrevocable_when_ending_LOCK_1_LOCK_4(customer):
    lock_ready(customer)
    place(customer)
    with pytest.raises(AgreementError) as err:
        end_agreement_by_customer(customer, now=T0 + timedelta(hours=1))
    assert err.value.code == "OPEN_LOCKED_ORDERS"


def test_a_consumer_withdrawing_pays_for_what_was_performed_LOCK_15(customer):
    lock_ready(customer)
    order = place(customer)  # BUY 1000 EUR: Mk + Ms = 0.10 PLN per EUR
    publish(mid="4.3000", bid="4.2500", ask="4.3500", ts=T0 + timedelta(hours=1))
    end_agreement_by_customer(customer, withdraw_open_orders=True, now=T0 + timedelta(hours=2))
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (LockStatus.CANCELLED, "CUSTOMER_WITHDREW")
    assert str(order.damages) == "100.00 PLN"  # (0.05 + 0.05 + 0) × 1000, Z = 0
    assert order.damages_owed.amount == 100  # no PLN on the balance: shown as owed
    assert check_ledger().ok


def test_the_operator_ends_it_for_non_payment_and_refuses_a_new_one_LOCK_1(customer, staff):
    conclude_agreement(customer, now=T0)
    end_agreement_by_operator(
        customer, reason="order KNR… not paid in time", acting_user=staff, now=T0
    )
    assert RateLockAgreement.objects.get().status == AgreementStatus.ENDED_BY_OPERATOR
    assert AuditLog.objects.filter(action="rate_lock.agreement_ended").exists()
    with pytest.raises(AgreementError) as err:
        conclude_agreement(customer, now=T0 + timedelta(days=1))
    assert err.value.code == "AGREEMENT_REFUSED"
    allow_new_agreement(customer, reason="paid the damages", acting_user=staff)
    assert conclude_agreement(customer, now=T0 + timedelta(days=2)).status == "active"


def test_the_operator_must_give_a_reason_LOCK_1(customer, staff):
    conclude_agreement(customer, now=T0)
    with pytest.raises(ExchangeError) as err:
        end_agreement_by_operator(customer, reason="  ", acting_user=staff)
    assert err.value.code == "REASON_REQUIRED"


def test_it_ends_with_the_basic_agreement_LOCK_1(
    customer, staff, django_capture_on_commit_callbacks
):
    conclude_agreement(customer, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        set_customer_status(customer, "terminated", acting_user=staff, reason="TERM-1 request")
    assert RateLockAgreement.objects.get().status == AgreementStatus.ENDED_WITH_BASIC
