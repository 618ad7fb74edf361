"""The panel in a real browser: Debian's Chromium driven by Playwright, headless.

Screenshots land in var/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.factories import fund

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed"),
]


@pytest.fixture
def page():
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the test makes around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="pl-PL", viewport={"width": 1100, "height": 900})
        try:
            yield context.new_page()
            browser.close()
        finally:
            # Django keeps a database connection per context, and Playwright's
            # event loop is a context of its own: what the test did to the
            # database inside this block went through a second connection,
            # which nothing else closes (PostgreSQL then refused to drop the
            # test database at the end of the session: "being accessed by
            # other users").
            connections.close_all()


def log_in(page, base_url: str, customer) -> None:
    """Give the customer a password and log in through the form, as a person would."""
    customer.user.set_password("Haslo!2345")
    customer.user.save()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", customer.email)
    page.fill("#id_password", "Haslo!2345")
    page.click("button[type=submit].button")
    page.wait_for_url(f"{base_url}/panel/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_customer_logs_in_and_sees_balances(live_server, page, customer):
    fund(customer, "1500.00", "PLN")
    fund(customer, "200.00", "EUR")
    SHOTS.mkdir(parents=True, exist_ok=True)

    log_in(page, live_server.url, customer)

    balances = page.inner_text("#balances")
    assert "1500,00" in balances and "200,00" in balances  # Polish number format
    assert page.inner_text("#deposit-title") == customer.deposit_title
    page.screenshot(path=str(SHOTS / "panel-dashboard.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wrong_password_shows_an_error(live_server, page, customer):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", customer.email)
    page.fill("#id_password", "wrong")
    page.click("button[type=submit].button")
    assert page.locator("[role=alert]").is_visible()
