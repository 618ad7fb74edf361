"""The customer panel over Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from schwifty import IBAN

from kantor.web.templatetags.kantor import iban
from tests.factories import fund


@pytest.fixture
def logged_in(client, customer):
    customer.user.set_password("Haslo!2345")
    customer.user.save()
    client.login(username=customer.email, password="Haslo!2345")
    return client


def test_panel_requires_login(client, db):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_dashboard_shows_balances_title_and_history(logged_in, customer):
    fund(customer, "1234.56", "PLN")
    page = logged_in.get(reverse("web:dashboard")).content.decode()
    assert "1234,56" in page
    assert customer.deposit_title in page
    assert "Wpłata" in page  # PAYIN, as a customer reads it (Polish by default)


def test_dashboard_prints_ibans_in_groups_of_four(logged_in, customer):
    """Our accounts for deposits are read off a screen and typed into a bank's
    form: grouped by four, as banks print them."""
    page = logged_in.get(reverse("web:dashboard")).content.decode()
    numbers = re.findall(r'class="mono iban">([^<]+)<', page)
    assert numbers
    for number in numbers:
        groups = number.split(" ")
        assert all(len(g) == 4 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 4, number
        assert IBAN("".join(groups)).formatted == number


def test_the_iban_filter_leaves_anything_else_as_it_is():
    assert iban("PL61109010140000071219812874") == "PL61 1090 1014 0000 0712 1981 2874"
    assert iban("not an IBAN") == "not an IBAN"
    assert iban("") == ""


def test_home_and_login_pages_render_in_polish_and_english(client, db):
    assert "Zaloguj" in client.get("/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Log in" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_wrong_password_is_refused_with_a_message(client, customer):
    response = client.post(reverse("web:login"), {"username": customer.email, "password": "bad"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_session_ends_after_ten_minutes_without_activity_SEC_2(logged_in):
    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert logged_in.get(reverse("web:dashboard")).status_code == 200  # activity renews it
    with time_machine.travel(start + timedelta(minutes=18), tick=False):
        assert logged_in.get(reverse("web:dashboard")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=28, seconds=1), tick=False):
        response = logged_in.get(reverse("web:dashboard"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
