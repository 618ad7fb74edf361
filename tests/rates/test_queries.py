"""Reads other apps rely on: mids at a moment, history, PLN values (RATE-1, RATE-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kantor.domain.money import Money
from kantor.rates import actions, queries
from kantor.rates.errors import NoRateForPair, PairNotOffered
from kantor.rates.models import MidRate, OfferedPair

from .conftest import NBP_DIR

T21 = datetime(2026, 10, 21, 10, 15, tzinfo=UTC)
T22 = datetime(2026, 10, 22, 10, 15, tzinfo=UTC)
T26 = datetime(2026, 10, 26, 11, 15, tzinfo=UTC)


@pytest.fixture
def three_tables(db):
    return actions.import_nbp_files(NBP_DIR)


def test_mid_at_is_the_last_mid_at_or_before_the_moment_MKT_7(three_tables):
    assert queries.mid_at("EURPLN", T22) == Decimal("4.3685")
    assert queries.mid_at("EURPLN", T22 - timedelta(microseconds=1)) == Decimal("4.3641")
    assert queries.mid_at("EURPLN", datetime(2026, 10, 25, 23, 0, tzinfo=UTC)) == Decimal("4.3685")
    assert queries.mid_at("EURPLN", T26 + timedelta(days=30)) == Decimal("4.4026")
    with pytest.raises(NoRateForPair):
        queries.mid_at("EURPLN", T21 - timedelta(seconds=1))
    with pytest.raises(PairNotOffered):
        queries.mid_at("EURJPY", T26)


def test_mid_at_reads_a_moment_given_in_any_time_zone_MKT_7(three_tables):
    """The same instant in Warsaw time finds the same mid (SQLite compares UTC text)."""
    warsaw = ZoneInfo("Europe/Warsaw")
    assert queries.mid_at("EURPLN", T22.astimezone(warsaw)) == Decimal("4.3685")
    just_before = (T22 - timedelta(microseconds=1)).astimezone(warsaw)
    assert queries.mid_at("EURPLN", just_before) == Decimal("4.3641")


def test_history_lists_mids_oldest_first_RATE_2(three_tables):
    assert queries.history("EURUSD", T21, T26) == [
        (T21, Decimal("1.1222")),  # 4.3641 / 3.8889 = 1.12219…
        (T22, Decimal("1.1234")),  # 4.3685 / 3.8886 = 1.12341…
        (T26, Decimal("1.1205")),  # 4.4026 / 3.9293 = 1.12045…
    ]
    assert queries.history("EURUSD", T22, T22) == [(T22, Decimal("1.1234"))]


def test_history_series_buckets_a_busy_ticker_RATE_2(three_tables):
    start = T26 + timedelta(hours=1)
    actions.tick_demo(start + timedelta(minutes=30))  # a demo mid every 10 s
    raw = queries.history_series("EURPLN", start, start + timedelta(hours=1))
    assert raw.resolution == "raw" and len(raw.points) == 181  # 12:15:00 … 12:45:00
    by_minute = queries.history_series("EURPLN", start, start + timedelta(hours=3))
    assert by_minute.resolution == "minute" and len(by_minute.points) == 31
    # each bucket's point is its last mid
    assert by_minute.points[-1] == raw.points[-1]
    by_day = queries.history_series("EURPLN", T21 - timedelta(days=60), start + timedelta(hours=1))
    assert by_day.resolution == "day"
    assert [ts for ts, _ in by_day.points][:3] == [
        T21,
        T22,
        T26 + timedelta(hours=1, minutes=30),
    ]


def test_to_pln_converts_at_the_mid_rounding_half_up_LOCK_12(three_tables):
    assert queries.to_pln(Money("100.00", "EUR"), T26) == Money("440.26", "PLN")
    # 10.01 × 3.9293 = 39.332293 → 39.33
    assert queries.to_pln(Money("10.01", "USD"), T26) == Money("39.33", "PLN")
    # exactly half a grosz goes up: 50 × 3.9293 = 196.465 → 196.47 (half-even: 196.46)
    assert queries.to_pln(Money("50.00", "USD"), T26) == Money("196.47", "PLN")
    assert queries.to_pln(Money("12.34", "PLN")) == Money("12.34", "PLN")
    assert queries.to_pln(Money("100.00", "EUR"), T22) == Money("436.85", "PLN")


def test_to_pln_uses_a_cross_or_an_inverted_pair_when_there_is_no_direct_one_LOCK_12(db):
    eurpln = OfferedPair.objects.get(code="EURPLN")
    noknok = OfferedPair.objects.create(base="NOK", quote="EUR", enabled=False)
    plnczk = OfferedPair.objects.create(base="PLN", quote="CZK", enabled=False)
    for pair, mid in ((eurpln, "4.4026"), (noknok, "0.0850"), (plnczk, "5.5000")):
        MidRate.objects.create(pair=pair, ts=T26, mid=Decimal(mid), source="nbp")
    # 1000 NOK × 0.0850 × 4.4026 = 374.221 → 374.22
    assert queries.to_pln(Money("1000.00", "NOK"), T26) == Money("374.22", "PLN")
    # 100 CZK ÷ 5.5 = 18.1818… → 18.18
    assert queries.to_pln(Money("100.00", "CZK"), T26) == Money("18.18", "PLN")
    with pytest.raises(NoRateForPair):
        queries.to_pln(Money("1.00", "SEK"), T26)
