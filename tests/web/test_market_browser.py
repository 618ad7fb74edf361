"""The market page in a real browser (MKT-1, MKT-2, MKT-9, MKT-12): review an order,
confirm it, see it among the active orders and in the book, cancel it.

Screenshots land in var/screenshots/market-*.png for a person to look at.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from kantor.market.actions import place_order
from kantor.market.matcher import run_matcher_once
from kantor.market.models import CloseReason, Order, Trade
from tests.factories import fund, make_customer
from tests.market.conftest import set_mid
from tests.web.test_browser import CHROMIUM, SHOTS, log_in, page  # noqa: F401 - the page fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def a_market() -> None:
    """EUR/PLN around a 4.3000 mid: resting offers on both sides and two trades."""
    set_mid("4.3000", ago=timedelta(minutes=1))
    anna, firm = make_customer(email="anna@example.com"), make_customer(email="firma@example.com")
    fund(anna, "20000.00", "PLN")
    fund(firm, "5000.00", "EUR")
    for side, who, volume, rate in [
        ("SELL", firm, "250.00", "4.3050"),
        ("SELL", firm, "1200.00", "4.3120"),
        ("SELL", firm, "800.00", "4.3200"),
        ("SELL", firm, "2000.00", "4.3250"),
        ("BUY", anna, "250.00", "4.3050"),
        ("BUY", anna, "60.00", "4.3120"),
        ("BUY", anna, "500.00", "4.2950"),
        ("BUY", anna, "1500.00", "4.2900"),
        ("BUY", anna, "300.00", "4.2800"),
    ]:
        place_order(who, "EURPLN", side, volume, "EUR", rate)
    run_matcher_once("EURPLN")


#: Tables wider than their box, except those in a sideways-scrolling ``.table-scroll``.
_STICKING_OUT = """() => [...document.querySelectorAll('table')]
    .filter(t => !t.parentElement.classList.contains('table-scroll')
                 && t.getBoundingClientRect().right
                    > t.parentElement.getBoundingClientRect().right + 1)
    .map(t => t.id || t.className)"""

#: Amounts (numeric cells) whose text runs over more than one line.
_WRAPPED_AMOUNTS = """() => [...document.querySelectorAll('td.num')].filter(td => {
    const text = document.createRange();
    text.selectNodeContents(td);
    return new Set([...text.getClientRects()].map(r => Math.round(r.top))).size > 1;
}).map(td => td.textContent.trim())"""


def test_the_panel_fits_a_phone_screen(live_server, page, customer):  # noqa: F811
    """At 390 px the menu wraps, no page scrolls sideways, amounts do not
    break across lines, and only wide tables scroll, inside their own box."""
    fund(customer, "1500000.00", "PLN")
    a_market()
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, live_server.url, customer)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in [
        ("dashboard", "/panel/"),
        ("history", "/panel/history/"),
        ("market", "/panel/market/EURPLN/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        assert page.evaluate(_STICKING_OUT) == [], name
        assert page.evaluate(_WRAPPED_AMOUNTS) == [], name
        page.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=True)


def test_customer_places_reviews_and_cancels_an_order(live_server, page, customer):  # noqa: F811
    fund(customer, "1500.00", "PLN")
    fund(customer, "200.00", "EUR")
    a_market()
    SHOTS.mkdir(parents=True, exist_ok=True)
    market = f"{live_server.url}/panel/market/EURPLN/"

    log_in(page, live_server.url, customer)
    page.click("header nav >> text=Giełda")
    page.wait_for_url(market)
    assert "4,3200" in page.inner_text("#book-asks") and "4,2900" in page.inner_text("#book-bids")
    assert "4,3120" in page.inner_text("#last-trades")
    page.screenshot(path=str(SHOTS / "market-page.png"), full_page=True)

    # too much: refused with the balance, nothing placed
    page.click("label.seg-sell")
    page.fill("#id_volume", "1000")
    page.select_option("#id_volume_currency", "EUR")
    page.fill("#id_limit_price", "4,3100")
    page.click("button[value=review]")
    alert = page.locator("#order-form [role=alert]")
    assert "Niewystarczające środki" in alert.inner_text() and "200,00 EUR" in alert.inner_text()
    page.screenshot(path=str(SHOTS / "market-refused.png"), full_page=True)

    # review: the cover and the commission before anything is booked
    page.fill("#id_volume", "100,00")
    page.click("button[value=review]")
    review = page.locator("#order-review")
    assert "100,00 EUR" in page.inner_text("#review-reserved")
    assert "431,00 PLN" in review.inner_text() and "0,87 PLN" in review.inner_text()
    assert Order.objects.filter(customer=customer).count() == 0
    page.screenshot(path=str(SHOTS / "market-review.png"), full_page=True)

    page.click("button[value=confirm]")
    page.wait_for_url(market)
    assert "Zlecenie przyjęte" in page.inner_text("ul.messages")
    order = Order.objects.get(customer=customer)
    row = page.locator(f'#active-orders tr[data-order="{order.order_id}"]')
    assert "sprzedaż EUR" in row.inner_text() and "100,00 EUR" in row.inner_text()
    page.screenshot(path=str(SHOTS / "market-order-placed.png"), full_page=True)

    run_matcher_once("EURPLN")  # the pair's matcher rests it in the book
    page.reload()
    assert "4,3100" in page.inner_text("#book-asks")
    assert "100,00 EUR" in page.inner_text("#market-balances")  # reserved
    page.screenshot(path=str(SHOTS / "market-order-resting.png"), full_page=True)

    row.locator("button", has_text="Anuluj").click()
    page.wait_for_url(market)
    assert "Anulowanie przyjęte" in page.inner_text("ul.messages")
    assert "anulowanie w toku" in row.inner_text()  # accepted; the matcher withdraws it
    run_matcher_once("EURPLN")
    page.reload()
    order.refresh_from_db()
    assert order.close_reason == CloseReason.CANCELLED
    assert row.count() == 0  # no longer active
    closed = page.locator(f'#closed-orders tr[data-order="{order.order_id}"]')
    assert "anulowane" in closed.inner_text()
    assert "4,3100" not in page.inner_text("#book-asks")
    page.screenshot(path=str(SHOTS / "market-cancelled.png"), full_page=True)


def test_the_market_page_in_english(live_server, page, customer):  # noqa: F811
    fund(customer, "1500.00", "PLN")
    a_market()
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server.url, customer)
    page.click("header nav button[value=en]")
    page.click("header nav >> text=Market")
    page.click("label.seg-buy")
    page.fill("#id_volume", "1000")
    page.select_option("#id_volume_currency", "PLN")
    page.fill("#id_limit_price", "4.3")
    page.click("button[value=review]")
    assert "Check and confirm" in page.inner_text("#order-review")
    assert "1000.00 PLN" in page.inner_text("#review-reserved")
    page.screenshot(path=str(SHOTS / "market-review-en.png"), full_page=True)


def test_customer_sees_their_trade_and_downloads_its_proof_DOC_1(live_server, page, customer):  # noqa: F811
    fund(customer, "1500.00", "PLN")
    a_market()
    SHOTS.mkdir(parents=True, exist_ok=True)
    market = f"{live_server.url}/panel/market/EURPLN/"

    log_in(page, live_server.url, customer)
    page.goto(market)
    assert "Nie masz jeszcze transakcji w tej parze" in page.inner_text("#my-trades")

    # buy 100 EUR at the best ask, 4.3120: the order takes the resting offer
    page.click("label.seg-buy")
    page.fill("#id_volume", "100")
    page.select_option("#id_volume_currency", "EUR")
    page.fill("#id_limit_price", "4,3120")
    page.click("button[value=review]")
    page.click("button[value=confirm]")
    page.wait_for_url(market)
    run_matcher_once("EURPLN")
    page.reload()

    trade = Trade.objects.get(taker__customer=customer)
    row = page.locator(f'#my-trades tr[data-trade="{trade.pk}"]')
    text = row.inner_text()
    assert "kupiono EUR" in text and "100,00 EUR" in text and "4,3120" in text
    assert "431,20 PLN" in text and "0,20 EUR" in text  # paid; FEE-1 0.2 % of 100 EUR
    page.locator("#my-trades").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "market-your-trades.png"), full_page=True)

    with page.expect_download() as download:
        row.locator("a.proof").click()
    proof = download.value
    assert proof.suggested_filename.endswith(f"-P2P-{trade.pk}-B.pdf")
    assert Path(proof.path()).read_bytes().startswith(b"%PDF")

    # the history's market exchanges link to the same proof
    page.goto(f"{live_server.url}/panel/history/")
    links = page.locator("table.history a.proof")
    assert links.count() == 2  # what was paid and what was bought
    assert links.first.get_attribute("href") == f"/panel/documents/trades/{trade.pk}/proof.pdf"
    page.screenshot(path=str(SHOTS / "history-proofs.png"), full_page=True)
