"""The demo ticker and the worker's tick (RATE-1): deterministic, offline, bounded."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.checks import run_checks

from kantor.domain.rates import DemoWalk
from kantor.rates import actions, jobs, queries
from kantor.rates.errors import RateSourceConfigError
from kantor.rates.models import MidRate, PublishedRate

from .conftest import NBP_DIR

NOW = datetime(2026, 11, 2, 9, 0, 5, tzinfo=UTC)
WALK = DemoWalk(seed="ticker-test")


def _demo_mids() -> list[tuple[str, datetime, Decimal]]:
    return list(
        MidRate.objects.filter(source="demo")
        .order_by("pair__code", "ts")
        .values_list("pair__code", "ts", "mid")
    )


def _demo_by_moment() -> dict[tuple[str, datetime], Decimal]:
    return {(code, ts): mid for code, ts, mid in _demo_mids()}


@pytest.fixture
def real_mids(db):
    return actions.import_nbp_files(NBP_DIR)


def test_no_demo_rate_without_a_real_mid_to_start_from_RATE_1(db):
    assert actions.tick_demo(NOW, walk=WALK).stored == 0


def test_demo_ticker_resumes_at_most_an_hour_back_and_steps_every_ten_seconds_RATE_1(real_mids):
    result = actions.tick_demo(NOW, walk=WALK)
    assert result.per_pair["EURPLN"] == actions.MAX_CATCHUP_STEPS
    assert result.last_ts == datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)
    assert result.first_ts == datetime(2026, 11, 2, 8, 0, 10, tzinfo=UTC)
    assert actions.tick_demo(NOW, walk=WALK).stored == 0  # same moment: nothing new
    later = actions.tick_demo(NOW + timedelta(seconds=25), walk=WALK)
    assert later.per_pair["EURPLN"] == 3  # 9:00:10, 9:00:20, 9:00:30


def test_same_seed_same_history_same_time_same_rates_RATE_1(real_mids):
    actions.tick_demo(NOW, walk=WALK)
    first = _demo_by_moment()
    MidRate.objects.filter(source="demo").delete()
    # ticking in several steps (from earlier on) lands on the very same mids
    for minutes in (-90, -45, -20, -1, 0):
        actions.tick_demo(NOW + timedelta(minutes=minutes), walk=WALK)
    again = _demo_by_moment()
    assert {key: again[key] for key in first} == first
    MidRate.objects.filter(source="demo").delete()
    actions.tick_demo(NOW, walk=DemoWalk(seed="another seed"))
    assert _demo_by_moment() != first


def test_demo_rates_move_in_small_steps_near_the_real_mid_RATE_1(real_mids):
    actions.tick_demo(NOW, walk=WALK)
    mids = [mid for code, _, mid in _demo_mids() if code == "EURPLN"]
    steps = [abs(b - a) for a, b in itertools.pairwise(mids)]
    assert max(steps) <= Decimal("4.45") * Decimal("0.0005") + Decimal("0.0001")
    assert all(abs(mid / Decimal("4.4026") - 1) < Decimal("0.02") for mid in mids)
    assert len(set(mids)) > 10


def test_a_new_real_mid_becomes_the_anchor_RATE_1(real_mids):
    actions.tick_demo(NOW, walk=WALK)
    newer = MidRate.objects.filter(pair__code="EURPLN", source="nbp").latest("ts")
    MidRate.objects.create(
        pair=newer.pair, ts=NOW + timedelta(minutes=1), mid=Decimal("5.0000"), source="nbp"
    )
    actions.tick_demo(NOW + timedelta(minutes=1, seconds=10), walk=WALK)
    assert abs(queries.mid_at("EURPLN", NOW + timedelta(minutes=2)) - Decimal(5)) < Decimal("0.01")


def test_worker_tick_in_demo_mode_loads_history_ticks_and_publishes_RATE_1(
    db, settings, fresh_worker
):
    settings.KANTOR_RATE_SOURCE = "demo"
    first = jobs.tick(NOW)
    assert first.mode == "demo" and first.published == 9
    assert MidRate.objects.filter(source="nbp", pair__code="EURPLN").count() > 200
    rate = queries.current_rate("EURPLN")
    assert rate.ts == NOW and rate.bid < rate.mid < rate.ask
    assert queries.latest_mid("EURPLN", NOW).source == "demo"
    # within the same 10 s step and a minute of the last publication: nothing to do
    assert jobs.tick(NOW + timedelta(seconds=3)).published == 0
    # a new step: new mids, new rates
    assert jobs.tick(NOW + timedelta(seconds=10)).published == 9


def test_worker_republishes_so_quotes_stay_fresh_RATE_1(db, settings, fresh_worker):
    settings.KANTOR_RATE_SOURCE = "nbp-offline"
    jobs.tick(NOW)
    assert jobs.tick(NOW + timedelta(seconds=30)).published == 0
    assert jobs.tick(NOW + timedelta(seconds=jobs.REPUBLISH_SECONDS)).published == 9
    assert PublishedRate.objects.filter(pair__code="EURPLN").count() == 2
    assert queries.current_rate("EURPLN").mid == Decimal("4.4026")  # the last NBP table


def test_worker_imports_nbp_files_when_they_change_RATE_1(db, settings, fresh_worker, tmp_path):
    (tmp_path / "a.json").write_text((NBP_DIR / "a_2026-10-21_22.json").read_text())
    settings.KANTOR_RATE_SOURCE = f"nbp-file:{tmp_path}"
    assert jobs.tick(NOW).imported == 18
    assert jobs.tick(NOW + timedelta(seconds=5)).imported == 0
    (tmp_path / "b.json").write_text((NBP_DIR / "a_2026-10-26.json").read_text())
    assert jobs.tick(NOW + timedelta(seconds=10)).imported == 9
    assert queries.current_rate("EURPLN").mid == Decimal("4.4026")


def test_worker_logs_a_bad_nbp_file_once_and_stores_nothing_RATE_1(
    db, settings, fresh_worker, tmp_path, caplog
):
    (tmp_path / "bad.json").write_text("{not json")
    settings.KANTOR_RATE_SOURCE = f"nbp-file:{tmp_path}"
    assert jobs.tick(NOW).imported == 0
    assert jobs.tick(NOW + timedelta(seconds=5)).imported == 0
    assert [r.message for r in caplog.records].count(
        next(r.message for r in caplog.records if "not imported" in r.message)
    ) == 1
    assert MidRate.objects.count() == 0


@pytest.mark.parametrize("value", ["live", "nbp-file:", "", "NBP"])
def test_unknown_rate_source_is_a_configuration_error_RATE_1(settings, value):
    settings.KANTOR_RATE_SOURCE = value
    with pytest.raises(RateSourceConfigError):
        jobs.rate_source_mode()
    assert "rates.E001" in [e.id for e in run_checks()]


def test_history_load_keeps_the_real_value_for_the_walk_RATE_2(db):
    actions.load_history(days=7, until=date(2026, 10, 26))
    actions.tick_demo(NOW, walk=WALK)
    first_demo = MidRate.objects.filter(source="demo", pair__code="EURPLN").earliest("ts")
    assert abs(first_demo.mid - Decimal("4.4026")) < Decimal("0.05")


def test_the_worker_schedule_runs_the_rate_tick_RATE_1(db, settings, fresh_worker):
    from kantor.ops import scheduler

    settings.KANTOR_RATE_SOURCE = "nbp-offline"
    (job,) = [j for j in scheduler.jobs() if j.name == "rates.tick"]
    assert scheduler.run_job(job, NOW)
    assert queries.current_rate("EURPLN").ts == NOW
