"""Rates fixtures: real NBP table A files (tests/rates/fixtures) and real rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kantor.rates import actions, jobs

FIXTURES = Path(__file__).parent / "fixtures"
TABLE_2026_10_23 = FIXTURES / "table_a_2026-10-23.json"
NBP_DIR = FIXTURES / "nbp_dir"
#: After the 2026-10-23 table counts (12:15 Warsaw = 10:15 UTC) and before the next.
AFTER_TABLE = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def table(db) -> actions.ImportResult:
    """NBP table A of 2026-10-23 imported: EUR 4.3917, USD 3.9247, GBP 5.2498, CHF 4.7681."""
    return actions.import_nbp_files(TABLE_2026_10_23)


@pytest.fixture
def published(table) -> actions.PublishResult:
    """The operator's rates published from that table with the seeded 0.25 % margins."""
    return actions.publish_rates(AFTER_TABLE)


@pytest.fixture
def fresh_worker(monkeypatch):
    """A worker process that has loaded nothing yet."""
    monkeypatch.setattr(jobs, "_seen", {})
