"""Public rates (RATE-2): the table, per-pair history with a chart, and their JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from kantor.rates import actions
from kantor.rates.models import OfferedPair

from .conftest import AFTER_TABLE, NBP_DIR

VIEWED_AT = datetime(2026, 10, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def site(db):
    """Three NBP tables imported and rates published, viewed the next morning."""
    actions.import_nbp_files(NBP_DIR)
    actions.publish_rates(datetime(2026, 10, 26, 12, 0, tzinfo=UTC))
    with time_machine.travel(VIEWED_AT, tick=False):
        yield


def _get(client, url: str, lang: str = "pl", **params):
    return client.get(url, params, headers={"accept-language": lang}, secure=True)


def test_rate_table_in_polish_shows_mid_buy_and_sell_RATE_2(client, site):
    page = _get(client, reverse("rates:table"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kursy walut" in html and "Kupujesz" in html and "Sprzedajesz" in html
    # EURPLN 4.4026: ask 4.4026 × 1.0025 = 4.41360650 ↑ 4.4137; bid × 0.9975 = 4.39159350 ↓ 4.3915
    row = html[html.index('data-pair="EURPLN"') :].split("</tr>")[0]
    assert [cell.split("</td>")[0] for cell in row.split('<td class="num">')[1:]] == [
        "4,4026",
        "4,4137",
        "4,3915",
    ]
    assert 'href="/rates/EURPLN"' in row
    assert "2026-10-26 13:00:00" in html  # last update, Warsaw time (CET)
    assert html.count("data-pair=") == 9


def test_rate_table_in_english_RATE_2(client, site):
    html = _get(client, reverse("rates:table"), "en").content.decode()
    assert "Exchange rates" in html and "You buy" in html and "You sell" in html
    assert "4.4137" in html and "4.3915" in html


def test_rate_table_before_any_publication_says_so_RATE_2(client, db):
    html = _get(client, reverse("rates:table"), "en").content.decode()
    assert "No rates have been published yet." in html


def test_rates_json_lists_current_rates_as_decimal_strings_RATE_2(client, site):
    data = _get(client, reverse("rates:table_json")).json()
    assert data["updated"] == "2026-10-26T12:00:00.000Z"
    assert data["rates"][0] == {
        "pair": "EURPLN",
        "base": "EUR",
        "quote": "PLN",
        "ts": "2026-10-26T12:00:00.000Z",
        "mid": "4.4026",
        "bid": "4.3915",
        "ask": "4.4137",
    }
    assert [r["pair"] for r in data["rates"]][-1] == "GBPUSD"


def test_pair_history_page_draws_an_svg_chart_RATE_2(client, site):
    page = _get(client, reverse("rates:pair", args=["EURPLN"]), "en", days=7)
    assert page.status_code == 200
    html = page.content.decode()
    assert "EUR/PLN rate history" in html
    assert '<svg id="rate-chart"' in html
    points = html.split('points="')[1].split('"')[0].split()
    assert len(points) == 3  # 21, 22 and 26 Oct
    assert "low 4.3641" in html and "high 4.4026" in html
    assert 'href="/rates/EURPLN.json?days=7"' in html


def test_pair_history_page_in_polish_and_lower_case_url_RATE_2(client, site):
    html = _get(client, "/rates/eurpln").content.decode()
    assert "Historia kursu EUR/PLN" in html and "30 dni" in html


def test_pair_history_page_without_rates_in_the_period_RATE_2(client, site):
    OfferedPair.objects.create(base="EUR", quote="CZK")
    html = _get(client, "/rates/EURCZK", "en", days=1).content.decode()
    assert "No rates in this period." in html
    assert 'id="current-rate"' not in html


def test_history_json_with_days_RATE_2(client, site):
    data = _get(client, reverse("rates:pair_json", args=["EURUSD"]), days=7).json()
    assert data["pair"] == "EURUSD" and data["days"] == 7 and data["resolution"] == "hour"
    assert data["until"] == "2026-10-27T09:00:00.000Z"
    assert data["points"] == [
        {"ts": "2026-10-21T10:15:00.000Z", "mid": "1.1222"},
        {"ts": "2026-10-22T10:15:00.000Z", "mid": "1.1234"},
        {"ts": "2026-10-26T11:15:00.000Z", "mid": "1.1205"},
    ]
    assert len(_get(client, "/rates/EURUSD.json", days=5).json()["points"]) == 2


@pytest.mark.parametrize("days", ["0", "abc", "-3", "3651", "1.5"])
def test_history_json_refuses_bad_days_RATE_2(client, site, days):
    answer = _get(client, "/rates/EURPLN.json", days=days)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "INVALID_DAYS"
    assert _get(client, "/rates/EURPLN", days=days).status_code == 400


def test_unknown_pair_is_not_found_RATE_2(client, site):
    answer = _get(client, "/rates/EURJPY.json")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "CURRENCY_NOT_SUPPORTED"
    assert _get(client, "/rates/EURJPY").status_code == 404
    assert _get(client, "/rates/EUR-PLN").status_code == 404


def test_rate_pages_are_read_only_RATE_2(client, site):
    assert client.post("/rates", secure=True).status_code == 405
    assert client.post("/rates.json", secure=True).status_code == 405


def test_json_follows_the_latest_publication_RATE_2(client, site):
    actions.publish_rates(AFTER_TABLE + timedelta(days=4))  # 2026-10-27 12:00, mids of 26 Oct
    data = _get(client, "/rates.json").json()
    assert data["updated"] == "2026-10-27T12:00:00.000Z"
