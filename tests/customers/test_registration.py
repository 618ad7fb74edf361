"""Registering customers (REG-1..3, REG-9, DEP-1), each with its audit row (SEC-9)."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from kantor.core.models import AuditLog
from kantor.customers.actions import create_customer
from kantor.customers.errors import DuplicateCustomer, ErrorCode, InvalidData
from kantor.customers.models import Customer, CustomerStatus
from kantor.domain import titles
from tests.customers.data import company_data, individual_data

pytestmark = pytest.mark.django_db


def test_an_individual_is_registered_with_a_user_and_a_deposit_title_REG_2_DEP_1():
    customer = create_customer(individual_data(email="Jan.Nowak@Example.com", phone="600100200"))

    customer.refresh_from_db()
    assert (customer.kind, customer.status, customer.email, customer.phone) == (
        "individual",
        CustomerStatus.ACTIVE,
        "jan.nowak@example.com",
        "+48600100200",
    )
    assert customer.birth_date.isoformat() == "1985-03-12"
    assert customer.user.username == "jan.nowak@example.com"
    assert not customer.user.has_usable_password()
    assert titles.normalise(customer.deposit_title) == customer.deposit_title
    assert titles.find_titles(customer.deposit_title)[0].purpose == titles.TitlePurpose.DEPOSIT
    row = AuditLog.objects.get(action="customer.created")
    assert (row.object_type, row.object_id, row.actor, row.actor_label) == (
        "customers.customer",
        str(customer.pk),
        None,
        "system",
    )


def test_a_company_is_registered_with_its_representative_REG_3():
    customer = create_customer(company_data(legal_form="spółka akcyjna"))
    assert (customer.kind, customer.legal_form, customer.representative_name) == (
        "company",
        "sa",
        "Anna Kowalska",
    )
    assert customer.display_name.startswith("Acme")


def test_verified_registration_records_when_and_who_REG_2(staff_user):
    customer = create_customer(individual_data(), acting_user=staff_user, verified=True)
    assert customer.status == CustomerStatus.VERIFIED and customer.verified_at is not None
    row = AuditLog.objects.get(action="customer.created")
    assert (row.actor, row.details["status"]) == (staff_user, "verified")


def test_a_given_password_is_checked_and_set_REG_5():
    customer = create_customer(individual_data(password="Zł0ty-Kantor-2026!"))
    assert customer.user.check_password("Zł0ty-Kantor-2026!")
    with pytest.raises(InvalidData) as info:
        create_customer(individual_data(password="12345678"))
    assert info.value.codes == {ErrorCode.INVALID_PASSWORD}


def test_invalid_data_writes_nothing_REG_2():
    with pytest.raises(InvalidData) as info:
        create_customer(individual_data(pesel="44051401358", phone="12"))
    assert set(info.value.by_field) == {"pesel", "phone"}
    assert not Customer.objects.exists()
    assert not get_user_model().objects.exists()
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize(
    "clash",
    [
        lambda first: individual_data(pesel=first.pesel),
        lambda first: individual_data(email=first.email.upper()),
        lambda first: company_data(email=first.email),
    ],
    ids=["same PESEL", "same e-mail in other case", "company with the same e-mail"],
)
def test_a_second_account_for_the_same_person_is_refused_REG_9(clash):
    first = create_customer(individual_data())
    with pytest.raises(DuplicateCustomer) as info:
        create_customer(clash(first))
    assert info.value.code == ErrorCode.DUPLICATE_CUSTOMER
    assert Customer.objects.count() == 1
    assert AuditLog.objects.count() == 1


def test_a_second_company_with_the_same_nip_is_refused_REG_9():
    first = create_customer(company_data())
    with pytest.raises(DuplicateCustomer):
        create_customer(company_data(nip=first.nip))


def test_the_refusal_is_one_generic_message_that_reveals_nothing_REG_9():
    first = create_customer(individual_data())
    messages = set()
    for data in (
        individual_data(pesel=first.pesel),
        individual_data(email=first.email),
    ):
        with pytest.raises(DuplicateCustomer) as info:
            create_customer(data)
        messages.add(str(info.value))
        assert info.value.field is None
    (message,) = messages
    assert first.email not in message and first.pesel not in message
    assert "PESEL" not in message and "e-mail" not in message.lower()


def test_the_refusal_is_translated_REG_9():
    first = create_customer(individual_data())
    with pytest.raises(DuplicateCustomer) as info:
        create_customer(individual_data(pesel=first.pesel))
    texts = {}
    for language in ("pl", "en"):
        with translation.override(language):  # rendered in the reader's language
            texts[language] = str(info.value)
    assert texts["en"].startswith("An account cannot be registered")
    assert texts["pl"] != texts["en"]


def test_a_terminated_customer_cannot_simply_register_again_TERM_4():
    first = create_customer(individual_data())
    Customer.objects.filter(pk=first.pk).update(status=CustomerStatus.TERMINATED)
    with pytest.raises(DuplicateCustomer):
        create_customer(individual_data(pesel=first.pesel))


def test_a_title_clash_draws_another_title_DEP_1():
    """Two customers fed the same random sequence: the second skips the taken title."""
    first = create_customer(individual_data(), rng=random.Random(7))
    second = create_customer(individual_data(), rng=random.Random(7))
    assert first.deposit_title != second.deposit_title
    assert titles.is_valid(second.deposit_title)
