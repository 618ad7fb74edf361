"""DOC-1: a customer downloads the proof of each of their trades from the panel, and
nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.documents.test_trade_proof import pdf_text
from tests.factories import make_customer


def login(client, customer):
    client.force_login(customer.user)
    return client


def url(trade) -> str:
    return reverse("documents:trade_proof", args=[trade.pk])


def test_each_party_downloads_the_proof_of_their_side_DOC_1(client, traded):
    response = login(client, traded.buyer).get(url(traded.trade))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith(f'-P2P-{traded.trade.pk}-B.pdf"')
    text = pdf_text(response.content)
    assert "Zażółć Gęślą-Jaźń" in text and "Otrzymano netto 33,26 EUR" in text

    client.logout()
    text = pdf_text(login(client, traded.seller).get(url(traded.trade)).content)
    assert "Otrzymano netto 144,13 PLN" in text


def test_the_proof_follows_the_panels_language_DOC_1(client, traded):
    response = login(client, traded.buyer).get(url(traded.trade), HTTP_ACCEPT_LANGUAGE="en")
    assert "Received, net of commission 33.26 EUR" in pdf_text(response.content)


def test_another_customers_trade_is_not_found_DOC_1(client, traded):
    assert login(client, make_customer()).get(url(traded.trade)).status_code == 404


def test_a_trade_that_does_not_exist_is_not_found_DOC_1(client, traded):
    missing = reverse("documents:trade_proof", args=[traded.trade.pk + 1000])
    assert login(client, traded.buyer).get(missing).status_code == 404


def test_staff_without_a_customer_account_get_no_proof_here_DOC_1(admin_client, traded):
    assert admin_client.get(url(traded.trade)).status_code == 404


@pytest.mark.django_db
def test_the_proof_needs_a_login_DOC_1(client):
    response = client.get(reverse("documents:trade_proof", args=[1]))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
