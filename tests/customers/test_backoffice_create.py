"""Staff create customers in the back office through the audited action (REG-1..3, REG-9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kantor.core.models import AuditLog
from kantor.customers.models import Customer, CustomerStatus
from tests.customers.data import company_data, individual_data

ADD = reverse("admin:customers_customer_add")


def post_form(data: dict, **extra) -> dict:
    form = {k: v for k, v in data.items() if v is not None}
    form.setdefault("country", "PL")
    form.update(extra)
    return form


def test_staff_create_an_individual_with_a_title_and_an_audit_row_REG_2(admin_client):
    data = individual_data()
    response = admin_client.post(ADD, post_form(data, verified="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get(email=data["email"])
    assert customer.status == CustomerStatus.VERIFIED
    assert customer.deposit_title.startswith("KND")
    assert AuditLog.objects.filter(action="customer.created").exists()


def test_staff_create_a_company_REG_3(admin_client):
    data = company_data(legal_form="sp_zoo")
    response = admin_client.post(ADD, post_form(data))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Customer.objects.get(nip=data["nip"]).status == CustomerStatus.ACTIVE


def test_a_bad_pesel_is_shown_on_the_form_and_nothing_is_created_REG_2(admin_client):
    data = individual_data(pesel="85031212340")
    response = admin_client.post(ADD, post_form(data))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Customer.objects.filter(email=data["email"]).exists()


def test_a_second_customer_with_the_same_pesel_is_refused_REG_9(admin_client):
    first = individual_data()
    assert admin_client.post(ADD, post_form(first)).status_code == 302
    again = individual_data(pesel=first["pesel"])
    response = admin_client.post(ADD, post_form(again))
    assert response.status_code == 200
    assert Customer.objects.filter(pesel=first["pesel"]).count() == 1


@pytest.mark.django_db
def test_support_staff_may_create_customers(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("s@kantor.example", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)
    assert client.get(ADD).status_code == 200
