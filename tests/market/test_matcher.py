"""The matcher architecture: batches commit whole, a restart continues where the
last commit stopped, one matcher per pair, wake-ups without polling (MKT-2..10, MON-4)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from kantor.market.doorbell import MatcherSession, _poke
from kantor.market.errors import MatcherLocked
from kantor.market.matcher import Matcher, StaleMatcher
from kantor.market.models import MatcherState, Order, OrderStatus, Trade
from kantor.market.settlement import Settlement
from tests.factories import fund, make_customer
from tests.market.conftest import assert_books_balance, match, place
from tests.market.replay import booked_fills, replay

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def wake_dir(settings):
    """A short directory: Unix socket paths are limited to ~100 characters."""
    path = Path(tempfile.mkdtemp(prefix="km"))
    settings.KANTOR_MARKET_WAKE_DIR = path
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def crossing_orders(mid, settings):
    """Twelve orders that trade with each other, accepted, not yet matched."""
    settings.KANTOR_MARKET_BATCH_SIZE = 4
    people = [make_customer() for _ in range(3)]
    for p in people:
        fund(p, "1000.00", "EUR")
        fund(p, "5000.00", "PLN")
    for i in range(12):
        side = "SELL" if i % 2 else "BUY"
        place(people[i % 3], side, f"{10 + i}.00", "EUR", f"4.30{i % 3}0")
    return people


def test_a_failed_commit_books_nothing_and_the_matcher_reloads_and_retries(
    crossing_orders, monkeypatch
):
    """A batch is all or nothing: trades, order updates, postings and applied_seq."""
    matcher = Matcher("EURPLN")
    matcher.run_once()  # batch 1 commits
    assert MatcherState.objects.get(pair="EURPLN").applied_seq == 4
    trades_before = Trade.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    # the postings and trades are written, then the order updates fail
    monkeypatch.setattr(Settlement, "write_orders", broken)
    with pytest.raises(RuntimeError):
        matcher.run_once()
    assert MatcherState.objects.get(pair="EURPLN").applied_seq == 4
    assert Trade.objects.count() == trades_before
    assert_books_balance()  # incl. reservations == what open orders hold

    monkeypatch.undo()
    while matcher.run_once().commands:
        pass
    assert booked_fills() == replay()[0]
    assert matcher.book.snapshot() == replay()[1].snapshot()
    assert_books_balance()


def test_a_restarted_matcher_continues_where_the_last_commit_stopped(crossing_orders):
    Matcher("EURPLN").run_once()
    Matcher("EURPLN").run_once()  # a new process: rebuilds the book from the database
    restarted = Matcher("EURPLN")
    assert restarted.applied == 8
    while restarted.run_once().commands:
        pass
    assert booked_fills() == replay()[0]  # nothing lost, nothing twice
    assert restarted.book.snapshot() == replay()[1].snapshot()
    assert_books_balance()


def test_a_second_matcher_cannot_commit_over_the_first(crossing_orders):
    """Compare-and-set on applied_seq fences a stale matcher out."""
    first, second = Matcher("EURPLN"), Matcher("EURPLN")
    first.run_once()
    with pytest.raises(StaleMatcher):
        second.run_once()
    assert MatcherState.objects.get(pair="EURPLN").applied_seq == 4
    while second.run_once().commands:  # it reloads, then carries on correctly
        pass
    assert booked_fills() == replay()[0]
    assert_books_balance()


def test_the_matcher_publishes_the_book_whenever_it_changes_MKT_12(crossing_orders):
    match()
    state = MatcherState.objects.get(pair="EURPLN")
    expected = replay()[1]
    assert 0 < state.book["seq"] <= state.applied_seq
    assert [lv[:3] for lv in state.book["asks"]] == [list(x) for x in expected.depth(1, 20)]
    assert [lv[:3] for lv in state.book["bids"]] == [list(x) for x in expected.depth(0, 20)]


def test_only_one_matcher_session_per_pair(db, wake_dir):
    """SQLite: an flock per pair; PostgreSQL: a session advisory lock per pair."""
    with MatcherSession(["EURPLN"]):
        with pytest.raises(MatcherLocked), MatcherSession(["EURPLN", "USDPLN"]):
            pass
        with MatcherSession(["USDPLN"]):  # other pairs are independent
            pass
    with MatcherSession(["EURPLN"]):  # released with the first session
        pass


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's wake-up socket")
def test_acceptance_wakes_the_matcher_after_commit_sqlite(
    db, wake_dir, customer, django_capture_on_commit_callbacks
):
    fund(customer, "100.00", "EUR")
    with MatcherSession(["EURPLN"]) as session:
        assert session.wait(0) == set()
        with django_capture_on_commit_callbacks(execute=True):
            place(customer, "SELL", "10.00", "EUR", "4.3000")
        assert session.wait(5) == {"EURPLN"}
        _poke("USDPLN")  # another pair's bell rings elsewhere
        assert session.wait(0) == set()


@pytest.mark.postgres
def test_acceptance_notifies_the_matcher_on_commit_postgres(wake_dir, customer):
    fund(customer, "100.00", "EUR")
    with MatcherSession(["EURPLN"]) as session:
        place(customer, "SELL", "10.00", "EUR", "4.3000")  # autocommit: commits now
        assert session.wait(5) == {"EURPLN"}
        assert session.wait(0) == set()


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def _child_env(database_url: str, var_dir: Path) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("KANTOR_")}
    env.update(KANTOR_DATABASE_URL=database_url, KANTOR_VAR_DIR=str(var_dir), PYTHONPATH=str(ROOT))
    return env


@pytest.mark.postgres
def test_a_second_matcher_process_for_the_pair_is_refused_postgres(wake_dir):
    env = _child_env(_database_url(), wake_dir)
    with MatcherSession(["EURPLN"]):
        child = subprocess.run(
            [sys.executable, "-m", "kantor.cli", "market", "matcher", "--pair", "EURPLN"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert child.returncode != 0
    assert "MATCHER_LOCKED" in child.stderr


def _child(env: dict, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.market.matcher_child", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _kill_mid_batch(env: dict, batch: int) -> None:
    """Start a matcher that pauses inside batch ``batch`` (uncommitted), SIGKILL it."""
    import json  # noqa: F401 - keeps the child's JSON import cost out of this process
    import select

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.market.matcher_child", "match", "--pause", str(batch),
         "--batch-size", "10"],
        env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 90)
        assert ready, "the matcher never reached the batch"
        assert proc.stdout.readline().strip() == f"PAUSED {batch}"
        proc.kill()  # SIGKILL: no cleanup, no commit, the transaction dies with it
        proc.wait(timeout=30)
        assert proc.returncode == -9
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()


def _crash_and_recover(env: dict) -> None:
    import json

    seeded = json.loads(_child(env, "seed", "120"))
    assert seeded["orders"] > 100
    _kill_mid_batch(env, batch=3)

    after_crash = json.loads(_child(env, "verify"))
    assert after_crash["applied_seq"] == 20  # batches 1 and 2 committed, 3 did not
    assert after_crash["max_trade_seq"] <= 20
    assert after_crash["ledger_ok"], after_crash["problems"]  # reservations reconcile
    assert after_crash["fills_equal_replay"] and after_crash["duplicate_keys"] == 0

    _child(env, "match")  # restart: rebuild the book, continue from command 21
    final = json.loads(_child(env, "verify"))
    assert final["applied_seq"] == final["last_seq"]  # no accepted command lost
    assert final["all_fills_equal_replay"]  # every trade once, as the pure engine makes them
    assert final["book_equal_replay"]
    assert final["ledger_ok"], final["problems"]
    assert final["duplicate_keys"] == 0 and final["trades"] > 0


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the PostgreSQL variant runs")
def test_a_matcher_killed_mid_batch_loses_nothing_and_books_nothing_twice_sqlite(tmp_path):
    var_dir = Path(tempfile.mkdtemp(prefix="kc"))
    try:
        env = _child_env(f"sqlite:///{tmp_path / 'crash.sqlite3'}", var_dir)
        subprocess.run(
            [sys.executable, "-m", "kantor.cli", "migrate", "-v0"],
            env=env, cwd=ROOT, check=True, timeout=120,
        )  # fmt: skip
        _crash_and_recover(env)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.mark.postgres
def test_a_matcher_killed_mid_batch_loses_nothing_and_books_nothing_twice_postgres(wake_dir):
    _crash_and_recover(_child_env(_database_url(), wake_dir))
    assert Order.objects.filter(status=OrderStatus.ACTIVE).exists()
