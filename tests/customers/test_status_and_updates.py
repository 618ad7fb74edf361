"""Status decisions (REG-12, TERM-2/4, AML-3/4) and data changes (REG-10), all audited (SEC-9)."""

from __future__ import annotations

import pytest

from kantor.core.models import AuditLog
from kantor.customers.actions import (
    create_customer,
    reactivate_customer,
    set_customer_status,
    update_customer,
)
from kantor.customers.errors import CustomerError, DuplicateCustomer, ErrorCode, InvalidData
from kantor.customers.models import CustomerStatus
from kantor.customers.signals import customer_status_changed
from tests.customers.data import company_data, individual_data

pytestmark = pytest.mark.django_db

S = CustomerStatus


@pytest.fixture
def jan():
    return create_customer(individual_data(email="jan@example.com"))


def test_staff_verify_then_suspend_then_reactivate_is_audited_REG_12_AML_4(jan, staff_user):
    set_customer_status(jan, S.VERIFIED, acting_user=staff_user, reason="ID card checked")
    set_customer_status(jan, S.SUSPENDED, acting_user=staff_user, reason="asked for documents")
    jan = reactivate_customer(jan, acting_user=staff_user, reason="documents received")

    jan.refresh_from_db()
    assert jan.status == S.VERIFIED and jan.verified_at is not None
    rows = AuditLog.objects.filter(action="customer.status_changed").order_by("id")
    assert [(r.details["from"], r.details["to"], r.actor) for r in rows] == [
        (S.ACTIVE, S.VERIFIED, staff_user),
        (S.VERIFIED, S.SUSPENDED, staff_user),
        (S.SUSPENDED, S.VERIFIED, staff_user),
    ]
    assert rows[1].details["reason"] == "asked for documents"


def test_reactivating_a_never_verified_customer_makes_it_active_REG_12(jan, staff_user):
    set_customer_status(jan, S.SUSPENDED, acting_user=staff_user, reason="AML check")
    assert reactivate_customer(jan, acting_user=staff_user, reason="cleared").status == S.ACTIVE


def test_a_decision_needs_a_reason_AML_4(jan, staff_user):
    with pytest.raises(CustomerError) as info:
        set_customer_status(jan, S.SUSPENDED, acting_user=staff_user, reason="  ")
    assert info.value.code == ErrorCode.REASON_REQUIRED
    jan.refresh_from_db()
    assert jan.status == S.ACTIVE
    assert not AuditLog.objects.filter(action="customer.status_changed").exists()


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ([S.TERMINATED, S.ACTIVE], ErrorCode.INVALID_STATUS_TRANSITION),
        ([S.VERIFIED, S.ACTIVE], ErrorCode.INVALID_STATUS_TRANSITION),
        ([S.SUSPENDED, S.SUSPENDED], ErrorCode.ALREADY_DONE),
        (["closed"], ErrorCode.INVALID_STATUS_TRANSITION),
    ],
)
def test_impossible_status_changes_are_refused_TERM_4(jan, staff_user, path, code):
    *allowed, refused = path
    for status in allowed:
        set_customer_status(jan, status, acting_user=staff_user, reason="step")
    with pytest.raises(CustomerError) as info:
        set_customer_status(jan, refused, acting_user=staff_user, reason="step")
    assert info.value.code == code


def test_listeners_hear_of_a_status_change_only_after_commit_TERM_3(
    jan, staff_user, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, customer, old_status, new_status, reason, **kwargs):
        heard.append((customer.pk, old_status, new_status, reason))

    customer_status_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            set_customer_status(jan, S.TERMINATED, acting_user=staff_user, reason="TERM-1 form")
        assert heard == []
        for callback in callbacks:
            callback()
    finally:
        customer_status_changed.disconnect(listener)
    assert heard == [(jan.pk, S.ACTIVE, S.TERMINATED, "TERM-1 form")]


def test_the_customer_changes_own_contact_data_REG_10(jan):
    jan = update_customer(
        jan,
        {"phone": "+48 733 000 111", "city": "Kraków", "postal_code": "30001"},
        acting_user=jan.user,
    )
    jan.refresh_from_db()
    assert (jan.phone, jan.city, jan.postal_code) == ("+48733000111", "Kraków", "30-001")
    row = AuditLog.objects.get(action="customer.updated")
    assert row.actor == jan.user
    assert row.details["changes"]["phone"] == ["+48600100200", "+48733000111"]


def test_the_customer_cannot_change_name_or_pesel_REG_10(jan):
    for field, value in (("last_name", "Kowalski"), ("pesel", "44051401359")):
        with pytest.raises(CustomerError) as info:
            update_customer(jan, {field: value}, acting_user=jan.user)
        assert (info.value.code, info.value.field) == (ErrorCode.PROTECTED_FIELD, field)
    jan.refresh_from_db()
    assert jan.last_name == "Nowak"


def test_support_changes_a_company_name_and_nip_REG_10(staff_user):
    acme = create_customer(company_data())
    acme = update_customer(
        acme,
        {"company_name": "Acme Polska sp. z o.o.", "nip": "PL 123-456-32-18"},
        acting_user=staff_user,
    )
    assert (acme.company_name, acme.nip) == ("Acme Polska sp. z o.o.", "1234563218")
    changes = AuditLog.objects.get(action="customer.updated").details["changes"]
    assert set(changes) == {"company_name", "nip"}


def test_an_e_mail_change_moves_the_login_and_keeps_REG_9(jan):
    other = create_customer(individual_data(email="other@example.com"))
    jan = update_customer(jan, {"email": "Jan.Nowy@Example.com"}, acting_user=jan.user)
    jan.user.refresh_from_db()
    assert jan.user.username == jan.user.email == "jan.nowy@example.com"
    with pytest.raises(DuplicateCustomer):
        update_customer(jan, {"email": other.email}, acting_user=jan.user)


def test_invalid_changes_and_unknown_fields_are_refused_REG_10(jan, staff_user):
    with pytest.raises(InvalidData) as info:
        update_customer(jan, {"phone": "22 123"}, acting_user=jan.user)
    assert info.value.codes == {ErrorCode.INVALID_PHONE}
    with pytest.raises(InvalidData) as info:
        update_customer(jan, {"nip": "1234563218"}, acting_user=staff_user)
    assert info.value.codes == {ErrorCode.UNKNOWN_FIELD}
    with pytest.raises(CustomerError) as info:
        update_customer(jan, {"kind": "company"}, acting_user=staff_user)
    assert info.value.code == ErrorCode.PROTECTED_FIELD


def test_a_change_to_the_same_values_writes_no_audit_row(jan):
    update_customer(jan, {"phone": "600 100 200"}, acting_user=jan.user)
    assert not AuditLog.objects.filter(action="customer.updated").exists()
