"""Publishing the operator's rates and reading them back (RATE-1, MON-3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kantor.core.models import AuditLog
from kantor.domain.money import CurrencyPair
from kantor.rates import actions, queries
from kantor.rates.errors import NoRateForPair, PairNotOffered
from kantor.rates.models import Margin, OfferedPair, PublishedRate
from kantor.rates.sources import NbpTableFiles

from .conftest import AFTER_TABLE, NBP_DIR, TABLE_2026_10_23


def test_default_pairs_are_offered_in_display_order_MON_3(db):
    assert [p.code for p in queries.offered_pairs()] == [
        "EURPLN",
        "USDPLN",
        "GBPPLN",
        "CHFPLN",
        "EURUSD",
        "EURGBP",
        "EURCHF",
        "USDCHF",
        "GBPUSD",
    ]
    assert all(p.rate_decimals == 4 for p in queries.offered_pairs())


def test_published_rate_is_mid_minus_and_plus_the_margin_rounded_for_the_operator_RATE_1(
    published,
):
    rate = queries.current_rate("EURPLN")
    # seeded margins 0.25 %: 4.3917 × 0.9975 = 4.38072075 ↓ 4.3807; × 1.0025 = 4.40267925 ↑ 4.4027
    assert (rate.mid, rate.bid, rate.ask) == (
        Decimal("4.3917"),
        Decimal("4.3807"),
        Decimal("4.4027"),
    )
    assert rate.pair == CurrencyPair.parse("EURPLN")
    assert rate.ts == AFTER_TABLE and rate.ts.tzinfo is not None
    assert (rate.buy_margin, rate.sell_margin) == (Decimal("0.0110"), Decimal("0.0110"))
    assert str(rate.bid) == "4.3807"  # at the pair's decimals, not the column's 8
    assert len(published.rates) == 9 and published.skipped == {}


def test_cross_pair_rate_from_its_derived_mid_RATE_1(published):
    rate = queries.current_rate(CurrencyPair.parse("EUR/USD"))
    # 1.1190 × 0.9975 = 1.11620250 ↓ 1.1162; × 1.0025 = 1.12179750 ↑ 1.1218
    assert (rate.mid, rate.bid, rate.ask) == (
        Decimal("1.1190"),
        Decimal("1.1162"),
        Decimal("1.1218"),
    )


def test_a_pair_quoted_with_two_decimals_rounds_there_MON_3(table):
    OfferedPair.objects.filter(code="EURUSD").update(rate_decimals=2)
    actions.publish_rates(AFTER_TABLE)
    rate = queries.current_rate("EURUSD")
    # mid 1.1190 → 1.12 (half-up); 1.12 × 0.9975 = 1.1172 ↓ 1.11; × 1.0025 = 1.1228 ↑ 1.13
    assert (rate.mid, rate.bid, rate.ask) == (Decimal("1.12"), Decimal("1.11"), Decimal("1.13"))
    assert rate.pair.rate_decimals == 2


def test_margins_per_customer_segment_RATE_1(table):
    actions.set_margin(
        "EURPLN", segment="vip", bid_margin=Decimal("0.001"), ask_margin=Decimal("0.001")
    )
    result = actions.publish_rates(AFTER_TABLE)
    assert len(result.rates) == 18  # every pair for standard and vip
    assert AuditLog.objects.get(action="rates.margin_saved").actor_label == "system"
    vip = queries.current_rate("EURPLN", "vip")
    # 4.3917 × 0.999 = 4.3873083 ↓ 4.3873; × 1.001 = 4.3960917 ↑ 4.3961
    assert (vip.bid, vip.ask, vip.segment) == (Decimal("4.3873"), Decimal("4.3961"), "vip")
    # a vip pair without its own margin is quoted with the standard one
    assert queries.current_rate("USDPLN", "vip").bid == queries.current_rate("USDPLN").bid
    # a segment the operator set no margins for gets the standard rates
    gold = queries.current_rate("EURPLN", "gold")
    assert (gold.segment, gold.bid) == ("standard", Decimal("4.3807"))


def test_publishing_twice_at_the_same_moment_publishes_once_RATE_1(published):
    actions.publish_rates(AFTER_TABLE + timedelta(microseconds=300))  # same millisecond
    assert PublishedRate.objects.count() == 9


def test_the_latest_mid_is_used_and_the_published_ts_is_to_the_millisecond_RATE_1(table):
    later = actions.import_nbp_files(NBP_DIR)
    assert later.stored == 27
    now = datetime(2026, 10, 27, 9, 30, 1, 123456, tzinfo=UTC)
    actions.publish_rates(now)
    rate = queries.current_rate("EURPLN")
    assert rate.mid == Decimal("4.4026")
    assert rate.ts == datetime(2026, 10, 27, 9, 30, 1, 123000, tzinfo=UTC)
    row = PublishedRate.objects.get(pair__code="EURPLN", ts=rate.ts)
    assert (row.mid_ts, row.mid_source) == (datetime(2026, 10, 26, 11, 15, tzinfo=UTC), "nbp")


def test_rate_by_ts_finds_exactly_that_quote_FX_1(published, table):
    first = queries.current_rate("EURPLN")
    actions.set_margin("EURPLN", bid_margin=Decimal("0.01"), ask_margin=Decimal("0.01"))
    actions.publish_rates(AFTER_TABLE + timedelta(minutes=1))
    assert queries.current_rate("EURPLN").bid == Decimal("4.3477")  # 4.3917 × 0.99 = 4.347783
    assert queries.rate_by_ts("EURPLN", first.ts) == first
    with pytest.raises(NoRateForPair):
        queries.rate_by_ts("EURPLN", first.ts + timedelta(milliseconds=1))


def test_no_rate_before_anything_was_published_RATE_1(table):
    with pytest.raises(NoRateForPair) as caught:
        queries.current_rate("EURPLN")
    assert caught.value.code == "NO_RATE_FOR_PAIR"


@pytest.mark.parametrize("pair", ["EURJPY", "XXXYYY", "EU", "", "EUR/EUR"])
def test_a_pair_not_offered_or_malformed_is_currency_not_supported_MON_3(published, pair):
    with pytest.raises(PairNotOffered) as caught:
        queries.current_rate(pair)
    assert caught.value.code == "CURRENCY_NOT_SUPPORTED"


def test_a_disabled_pair_is_not_offered_but_its_history_stays_MON_3(published):
    OfferedPair.objects.filter(code="GBPUSD").update(enabled=False)
    assert "GBPUSD" not in [p.code for p in queries.offered_pairs()]
    with pytest.raises(PairNotOffered):
        queries.current_rate("GBPUSD")
    assert queries.mid_at("GBPUSD", AFTER_TABLE) == Decimal("1.3376")
    assert "GBPUSD" not in {r.pair.code for r in actions.publish_rates(AFTER_TABLE).rates}


def test_pairs_without_a_mid_or_a_standard_margin_are_skipped_RATE_1(db):
    Margin.objects.filter(pair__code="USDPLN").delete()
    actions.import_rates(NbpTableFiles(TABLE_2026_10_23), pairs=["EURPLN", "USDPLN"])
    result = actions.publish_rates(AFTER_TABLE)
    assert [r.pair.code for r in result.rates] == ["EURPLN"]
    assert result.skipped["USDPLN"] == "no standard margin"
    assert result.skipped["GBPPLN"] == "no mid"


def test_margin_outside_the_allowed_range_is_refused_RATE_1(db):
    with pytest.raises(ValidationError):
        actions.set_margin("EURPLN", bid_margin=Decimal("0.5"), ask_margin=Decimal("0.001"))
    assert not AuditLog.objects.filter(action="rates.margin_saved").exists()
    assert Margin.objects.get(pair__code="EURPLN", segment="standard").bid_margin == Decimal(
        "0.0025"
    )
