"""MKT-12, API-1: best_offers/detailed honours ``itemLimit`` (minimum 1, no maximum in
the reference) and lists every offer of a level, beyond what the matcher publishes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kantor.market import queries
from kantor.market.models import MatcherState
from kantor.market.pairs import market_pair
from kantor.market.queries import _deep_snapshot
from kantor.market.snapshot import MAX_QUOTES, complete_for
from tests.api.client import ApiClient, make_api_key
from tests.factories import fund, make_customer
from tests.market.conftest import match, place

DETAILED = "/api/v2.0.0/market_fx/best_offers/detailed"
BEST = "/api/v2.0.0/market_fx/best_offers"


@pytest.fixture(autouse=True)
def _api(settings, mid):
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture
def seller(db):
    someone = make_customer(email="seller@example.com")
    fund(someone, "5000.00", "EUR")
    fund(someone, "50000.00", "PLN")
    return someone


@pytest.fixture
def client(customer) -> ApiClient:
    return ApiClient(make_api_key(customer)[1])


def asks_at(seller, count: int, *, first: str = "4.3100", step: str = "0.0010") -> None:
    for i in range(count):
        place(seller, "SELL", "3.00", "EUR", str(Decimal(first) + i * Decimal(step)))


def detailed(client: ApiClient, **query) -> dict:
    answer = client.get(DETAILED, {"currencyPair": "EURPLN", **query})
    assert answer["success"] is True, answer
    return answer["result"]


def test_item_limit_beyond_the_published_depth_is_honoured_API_1(client, seller):
    asks_at(seller, 25)
    match()
    published = MatcherState.objects.get(pair="EURPLN").book
    assert len(published["asks"]) == 20 and published["more"] == {"bids": False, "asks": True}

    asks = detailed(client, itemLimit=25)["asks"]
    assert [a["price"] for a in asks] == [f"{4.31 + i / 1000:.4f}" for i in range(25)]
    assert all(a["volume"] == "3.00" and len(a["quotes"]) == 1 for a in asks)
    assert len(detailed(client, itemLimit=1000)["asks"]) == 25  # no more than there are
    assert len(detailed(client, itemLimit=10**30)["asks"]) == 25
    assert len(detailed(client)["asks"]) == 10  # the reference's default


def test_every_offer_of_a_level_is_listed_not_only_the_published_ones_MKT_12(client, seller):
    for _ in range(MAX_QUOTES + 5):
        place(seller, "SELL", "3.00", "EUR", "4.3100")
    place(seller, "SELL", "3.00", "EUR", "4.3200")
    match()

    [level] = detailed(client, itemLimit=1)["asks"]
    assert level["volume"] == "75.00" and len(level["quotes"]) == MAX_QUOTES + 5
    stamps = [q["ts"] for q in level["quotes"]]
    assert stamps == sorted(stamps)  # MKT-4: time priority
    # best_offers (no quotes) still comes from the snapshot alone
    plain = client.get(BEST, {"currencyPair": "EURPLN"}, sign=False)["result"]["asks"]
    assert [a["volume"] for a in plain] == ["75.00", "3.00"]


def test_a_smaller_published_depth_still_answers_the_full_item_limit(client, seller, settings):
    settings.KANTOR_MARKET_SNAPSHOT_LEVELS = 2
    asks_at(seller, 6)
    for i in range(4):
        place(seller, "BUY", "3.00", "EUR", str(Decimal("4.2900") - i * Decimal("0.0010")))
    match()
    assert len(MatcherState.objects.get(pair="EURPLN").book["asks"]) == 2

    result = detailed(client, itemLimit=5)
    assert [b["price"] for b in result["bids"]] == ["4.2900", "4.2890", "4.2880", "4.2870"]
    assert [a["price"] for a in result["asks"]] == [
        "4.3100",
        "4.3110",
        "4.3120",
        "4.3130",
        "4.3140",
    ]


def test_the_rebuilt_book_equals_the_one_the_matcher_published_MKT_12(customer, seller):
    """Partial fills, amounts in either currency, cancels and orders not yet
    matched: the deep read shows exactly the book the matcher holds."""
    fund(customer, "10000.00", "PLN")
    fund(customer, "1000.00", "EUR")
    place(seller, "SELL", "10.00", "EUR", "4.3100")
    place(seller, "SELL", "100.00", "PLN", "4.3100")  # sells EUR for 100 PLN
    place(seller, "SELL", "7.77", "EUR", "4.3300")
    gone = place(seller, "SELL", "5.00", "EUR", "4.3400")
    place(customer, "BUY", "200.00", "PLN", "4.2900")  # buys EUR for at most 200 PLN
    place(customer, "BUY", "12.34", "EUR", "4.2800")
    match()
    place(customer, "BUY", "4.00", "EUR", "4.3100")  # fills part of the first ask
    place(customer, "BUY", "50.00", "PLN", "4.3300")  # takes the rest of it and more
    queries_cancel(seller, gone)
    match()
    place(customer, "BUY", "3.00", "EUR", "4.2950")  # accepted, not matched yet

    market = market_pair("EURPLN")
    published = MatcherState.objects.get(pair="EURPLN").book
    rebuilt = _deep_snapshot(market, 20)
    assert rebuilt["seq"] == MatcherState.objects.get(pair="EURPLN").applied_seq
    for side in ("bids", "asks"):
        assert rebuilt[side] == published[side]
    assert [lv.price for lv in queries.book("EURPLN", 20, all_quotes=True).bids] == [
        Decimal("4.2900"),
        Decimal("4.2800"),
    ]


def queries_cancel(customer, order) -> None:
    from kantor.market.actions import cancel_order

    cancel_order(order, customer=customer)


def test_whether_a_snapshot_answers_a_request():
    level = [431000, 300, 1293, [[1, 7, 300, 1293, "id", "ts"]], 1]
    full = [431000, 300 * 25, 1293 * 25, [[1, 7, 300, 1293, "id", "ts"]] * MAX_QUOTES, 25]
    snapshot = {"asks": [level, level], "bids": [], "more": {"asks": True, "bids": False}}
    assert complete_for(snapshot, "asks", 2, quotes=True)
    assert not complete_for(snapshot, "asks", 3, quotes=False)  # more levels exist
    assert complete_for(snapshot, "bids", 50, quotes=True)  # an empty side is complete
    truncated = {"asks": [full], "more": {"asks": False}}
    assert complete_for(truncated, "asks", 1, quotes=False)
    assert not complete_for(truncated, "asks", 1, quotes=True)
    # stored before "more" and the counts existed
    legacy = {"asks": [level[:4]] * 3, "bids": [full[:4]]}
    assert complete_for(legacy, "asks", 10, quotes=True)
    assert not complete_for(legacy, "bids", 1, quotes=True)
