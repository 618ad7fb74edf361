"""The back office (Django admin at /backoffice/): every page loads, the ledger and
the audit log are read-only for everyone, and staff roles see only what they may
(SEC-9, AML-4, MON-4)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from kantor.core.audit import record
from kantor.core.models import AuditLog
from kantor.customers.actions import add_bank_account, create_api_key
from kantor.customers.models import ApiKey, BankAccount, Customer, CustomerStatus
from kantor.ledger.models import Account, HistoryItem, LedgerTransaction, Leg
from tests.customers.data import IBAN_ERSTE, rsa_public_pem
from tests.factories import fund

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]

MODELS = {
    "customer": Customer,
    "bankaccount": BankAccount,
    "apikey": ApiKey,
    "auditlog": AuditLog,
    "account": Account,
    "ledgertransaction": LedgerTransaction,
    "leg": Leg,
    "historyitem": HistoryItem,
}
PUBLIC_KEY = rsa_public_pem(2048)
READ_ONLY = ("auditlog", "account", "ledgertransaction", "leg", "historyitem")


@pytest.fixture
def books(customer):
    """One row of every model: a funded customer with a bank account and an API key."""
    fund(customer, "1000.00", "PLN")
    add_bank_account(customer, IBAN_ERSTE, "PLN", "Jan Nowak")
    create_api_key(customer, public_key_pem=PUBLIC_KEY, roles="reader")
    return customer


def url(model: str, view: str, *args) -> str:
    app = MODELS[model]._meta.app_label
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def staff_in(django_user_model, group: str):
    user = django_user_model.objects.create_user(
        username=f"{group}.user", password="x", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.parametrize("model", list(MODELS))
def test_every_list_and_object_page_loads_for_a_superuser(admin_client, books, model):
    obj = MODELS[model].objects.order_by("pk").first()
    assert admin_client.get(url(model, "changelist"), secure=True).status_code == 200
    assert admin_client.get(url(model, "changelist") + "?q=jan", secure=True).status_code == 200
    assert admin_client.get(url(model, "change", obj.pk), secure=True).status_code == 200


@pytest.mark.parametrize("model", READ_ONLY)
def test_ledger_and_audit_log_refuse_add_change_delete_even_to_a_superuser_MON_4(
    admin_client, books, model
):
    obj = MODELS[model].objects.order_by("pk").first()
    assert admin_client.get(url(model, "add"), secure=True).status_code == 403
    assert admin_client.post(url(model, "change", obj.pk), {}, secure=True).status_code == 403
    assert (
        admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}, secure=True).status_code
        == 403
    )
    assert MODELS[model].objects.filter(pk=obj.pk).exists()


def test_account_balances_are_shown_as_money(admin_client, books):
    page = admin_client.get(url("account", "changelist"), secure=True).content.decode()
    assert "1000.00 PLN" in page
    page = admin_client.get(url("customer", "change", books.pk), secure=True).content.decode()
    assert "1000.00 PLN" in page


def test_suspend_action_asks_for_a_reason_and_is_audited_AML_4(admin_client, admin_user, books):
    data = {"action": "status_suspended", "_selected_action": [books.pk]}
    page = admin_client.post(url("customer", "changelist"), data, secure=True)
    assert page.status_code == 200 and b'name="reason"' in page.content
    books.refresh_from_db()
    assert books.status == CustomerStatus.ACTIVE

    data |= {"apply": "1", "reason": "documents requested (REG-12)"}
    assert admin_client.post(url("customer", "changelist"), data, secure=True).status_code == 302
    books.refresh_from_db()
    assert books.status == CustomerStatus.SUSPENDED
    row = AuditLog.objects.get(action="customer.status_changed")
    assert (row.actor, row.details["reason"]) == (admin_user, "documents requested (REG-12)")


def test_editing_customer_data_goes_through_the_audited_action_REG_10(
    admin_client, admin_user, books
):
    page = admin_client.get(url("customer", "change", books.pk), secure=True)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data |= {"phone": "733 000 111", "last_name": "Nowak-Kowalski"}
    for prefix in ("bank_accounts", "api_keys"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = admin_client.post(url("customer", "change", books.pk), data, secure=True)
    assert response.status_code == 302, response.context["adminform"].form.errors
    books.refresh_from_db()
    assert (books.phone, books.last_name) == ("+48733000111", "Nowak-Kowalski")
    row = AuditLog.objects.get(action="customer.updated")
    assert row.actor == admin_user
    assert row.details["changes"]["last_name"] == ["Nowak", "Nowak-Kowalski"]

    data |= {
        "id_document_type": "id_card",
        "id_document_number": "ABA300000",
        "id_document_issued": "2000-01-01",
        "id_document_expires": "2001-01-01",
    }
    response = admin_client.post(url("customer", "change", books.pk), data, secure=True)
    assert response.status_code == 200
    assert "id_document_expires" in response.context["adminform"].form.errors


def test_revoke_action_on_api_keys_API_2(admin_client, books):
    key = ApiKey.objects.get()
    data = {"action": "revoke_keys", "_selected_action": [key.pk], "apply": "1", "reason": "leaked"}
    assert admin_client.post(url("apikey", "changelist"), data, secure=True).status_code == 302
    key.refresh_from_db()
    assert not key.is_active
    page = admin_client.get(url("apikey", "change", key.pk), secure=True).content.decode()
    assert key.key_hash not in page and key.key_encrypted not in page


def test_support_sees_customers_and_ledger_but_not_the_audit_log_AML_4(
    client, django_user_model, books
):
    client.force_login(staff_in(django_user_model, "support"))
    get = lambda path: client.get(path, secure=True).status_code  # noqa: E731
    assert get(url("customer", "changelist")) == 200
    assert get(url("customer", "change", books.pk)) == 200
    assert get(url("bankaccount", "changelist")) == 200
    assert get(url("account", "changelist")) == 200
    assert get(url("leg", "changelist")) == 200
    assert get(url("auditlog", "changelist")) == 403
    assert get(url("customer", "delete", books.pk)) == 403
    assert client.get(reverse("admin:auth_user_changelist"), secure=True).status_code == 403


def test_support_may_suspend_but_compliance_may_not_edit_data_AML_4(
    client, django_user_model, books
):
    support = staff_in(django_user_model, "support")
    client.force_login(support)
    data = {
        "action": "status_suspended",
        "_selected_action": [books.pk],
        "apply": "1",
        "reason": "REG-12",
    }
    client.post(url("customer", "changelist"), data, secure=True)
    books.refresh_from_db()
    assert books.status == CustomerStatus.SUSPENDED

    client.force_login(staff_in(django_user_model, "compliance"))
    assert client.get(url("auditlog", "changelist"), secure=True).status_code == 200
    response = client.post(url("customer", "change", books.pk), {"phone": "733000111"}, secure=True)
    assert response.status_code == 403


def test_a_group_without_the_status_permission_has_no_status_actions(
    client, django_user_model, books
):
    client.force_login(staff_in(django_user_model, "board"))
    page = client.get(url("customer", "changelist"), secure=True)
    assert page.status_code == 200
    assert b"status_suspended" not in page.content
    record("noop", acting_user=None)  # the board reads the audit log
    assert client.get(url("auditlog", "changelist"), secure=True).status_code == 200


def test_an_e_mail_already_used_is_a_form_error_not_a_crash_REG_9(
    admin_client, books, other_customer
):
    page = admin_client.get(url("customer", "change", books.pk), secure=True)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data["email"] = other_customer.email.upper()
    for prefix in ("bank_accounts", "api_keys"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = admin_client.post(url("customer", "change", books.pk), data, secure=True)
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    books.refresh_from_db()
    assert books.email != other_customer.email
    assert not AuditLog.objects.filter(action="customer.updated").exists()
