"""API-1 /direct_fx/rates: the operator's current rates (RATE-1, FX-1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from kantor.customers.models import ApiRole
from kantor.rates.actions import publish_rates, set_margin
from kantor.rates.models import MidRate, OfferedPair
from kantor.rates.queries import current_rate
from tests.api.client import ApiClient, make_api_key

RATES = "/api/v2.0.0/direct_fx/rates"
NOW = datetime(2026, 3, 2, 9, 58, 6, 945_000, tzinfo=UTC)


def error_key(answer: dict) -> str:
    assert answer["success"] is False, answer
    return answer["errors"][0]["key"]


@pytest.fixture
def eurpln_published(db):
    pair = OfferedPair.objects.get(code="EURPLN")
    MidRate.objects.create(pair=pair, ts=NOW - timedelta(seconds=10), mid="4.3000", source="test")
    return publish_rates(NOW)


def test_rates_answer_customer_buy_at_ask_and_sell_at_bid_RATE_1(eurpln_published, client):
    answer = client.get(RATES, {"currencyPair": "EURPLN"}, sign=False)
    quoted = current_rate("EURPLN")
    assert answer == {
        "success": True,
        "result": {
            "ts": "2026-03-02T09:58:06.945Z",
            "currencyPair": "EURPLN",
            "buyRate": str(quoted.ask),
            "sellRate": str(quoted.bid),
        },
    }
    assert (
        Decimal(answer["result"]["buyRate"])
        > Decimal("4.3000")
        > Decimal(answer["result"]["sellRate"])
    )
    assert len(answer["result"]["buyRate"].split(".")[1]) == 4


def test_rates_follow_the_customers_segment_RATE_1(customer, client):
    set_margin("EURPLN", bid_margin=Decimal("0.001"), ask_margin=Decimal("0.001"), segment="vip")
    pair = OfferedPair.objects.get(code="EURPLN")
    MidRate.objects.create(pair=pair, ts=NOW - timedelta(seconds=10), mid="4.3000", source="test")
    publish_rates(NOW)
    standard = client.get(RATES, {"currencyPair": "EURPLN"})["result"]
    customer.segment = "vip"
    customer.save(update_fields=["segment"])
    vip = client.get(RATES, {"currencyPair": "EURPLN"})["result"]
    assert Decimal(vip["buyRate"]) < Decimal(standard["buyRate"])
    assert Decimal(vip["sellRate"]) > Decimal(standard["sellRate"])


def test_rates_signed_request_works_like_the_reference_example_API_2(eurpln_published, client):
    """The reference's step 1: GET /api/v2.0.0/direct_fx/rates?currencyPair=EURPLN, signed."""
    assert client.get(RATES, "currencyPair=EURPLN")["success"] is True


@pytest.mark.parametrize("pair", ["XYZPLN", "EURXX", "PLNPLN", "CZKPLN"])
def test_unknown_or_unoffered_pair_is_not_supported_MON_3(eurpln_published, client, pair):
    assert error_key(client.get(RATES, {"currencyPair": pair})) == "CURRENCY_NOT_SUPPORTED"


def test_disabled_pair_is_not_supported_MON_3(eurpln_published, client):
    OfferedPair.objects.filter(code="EURPLN").update(enabled=False)
    assert error_key(client.get(RATES, {"currencyPair": "EURPLN"})) == "CURRENCY_NOT_SUPPORTED"


def test_offered_pair_without_a_published_rate_has_no_rate_RATE_1(eurpln_published, client):
    assert error_key(client.get(RATES, {"currencyPair": "USDPLN"})) == "NO_RATE_FOR_PAIR"


def test_missing_pair_is_invalid_arguments_API_1(client):
    answer = client.get(RATES)
    assert error_key(answer) == "INVALID_ARGUMENTS"
    assert answer["errors"][0]["errorData"] == [{"key": "currencyPair", "value": "required"}]


def test_rates_need_the_direct_fx_or_admin_role_API_2(eurpln_published, customer):
    _, reader = make_api_key(customer, roles=[ApiRole.READER])
    _, direct = make_api_key(customer, roles=[ApiRole.DIRECT_FX])
    assert error_key(ApiClient(reader).get(RATES, {"currencyPair": "EURPLN"})) == (
        "MISSING_AUTH_ROLE"
    )
    assert ApiClient(direct).get(RATES, {"currencyPair": "EURPLN"})["success"] is True
