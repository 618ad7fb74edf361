"""Benchmark: the durable market — orders through the market service, committed.

Run (from the repository root)::

    .venv/bin/python -m bench.market            # PostgreSQL and SQLite, 5 000 orders per mode
    .venv/bin/python -m bench.market --quick    # 1 000 orders per mode, seconds
    .venv/bin/python -m bench.market --db sqlite --orders 5000

Each database gets a fresh, migrated database of its own: SQLite a file in a
temporary directory; PostgreSQL ``KANTOR_BENCH_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/kantor_bench_market``), dropped and
created again (a PostgreSQL that cannot be reached is reported as
``skipped``). Nothing touches the development or test databases.

What is measured — orders go through ``kantor.market.actions`` exactly as the
API's do (validation, the MKT-2 reservation posting, the pair's sequence
number, the insert, the doorbell), and the real matcher (``Matcher`` woken by
``MatcherSession``) applies them, committing trades, order updates and
ledger postings in batches. Modes:

* ``serial`` — one process accepts every order (one transaction each), then
  the matcher drains the log: the CPU cost per order of each half;
* ``pipeline`` — ``--acceptors`` processes accept orders (one transaction
  each, as API requests do) while the matcher process runs beside them:
  sustained orders/s from the first acceptance to the last committed batch;
* ``grouped`` — the same, with each acceptor committing ``--group`` orders,
  and the cancels that came in meanwhile, per transaction (``place_orders``
  and ``cancel_orders``: a gateway's group commit; the pair is looked up
  once per group).

Latency (``fill_ms``): for every order that traded on arrival, from the
commit of its acceptance to the commit of the batch that booked its trade.
After each database the ledger is checked (``check_ledger``: every
transaction balances, balances equal their legs, reserved funds equal what
open orders hold); ``ledger_ok`` is false and the exit status 1 otherwise.
``KANTOR_BENCH_AFTER_MIGRATE_SQL=FILE`` runs FILE on the PostgreSQL bench
database after the migrations: for experiments (docs/PERFORMANCE.md measures
a proposed ledger trigger that way).

The stream is workload B of ``bench/workloads.py`` on EUR/PLN (80% passive
orders 1–50 ticks behind the mid, 20% crossing, sizes 3–102 EUR), each
acceptor cancelling one of its own last 1 000 orders after 10% of its
orders, owners drawn from 20 customers. Output: JSON lines on stdout.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/kantor_bench_market"
PAIR = "EURPLN"
MID = 43_000
CUSTOMERS = 20


def emit(line: dict) -> None:
    print(json.dumps(line), flush=True)


def machine() -> dict:
    """nproc, CPU model and RAM, for docs/PERFORMANCE.md."""
    model = ""
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem_kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
    }


# -- the workload ---------------------------------------------------------------------


def stream(n: int, seed: int) -> list[tuple]:
    """Workload B as market commands: ("order", owner, side, volume EUR, limit) / ("cancel",)."""
    rnd = random.Random(seed)
    ops: list[tuple] = []
    for _ in range(n):
        side = rnd.choice(("BUY", "SELL"))
        offset = rnd.randint(1, 50)
        if rnd.random() < 0.2:
            offset = -offset  # crossing
        ticks = MID - offset if side == "BUY" else MID + offset
        volume = Decimal(rnd.randint(3, 102))
        ops.append(("order", rnd.randrange(CUSTOMERS), side, volume, Decimal(ticks).scaleb(-4)))
        if rnd.random() < 0.1:
            ops.append(("cancel", rnd.random()))
    return ops


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


# -- processes ------------------------------------------------------------------------


def acceptor(ops: list[tuple], group: int, out) -> None:
    """Accept ``ops`` one transaction per order (or ``group`` orders per transaction)."""
    from django.db import transaction

    from kantor.customers.models import Customer
    from kantor.market.actions import (
        cancel_order,
        cancel_orders,
        place_order,
        place_orders,
        validate_order,
    )
    from kantor.market.pairs import market_pair

    customers = list(Customer.objects.filter(email__startswith="bench-").order_by("pk"))
    accepted: dict[int, float] = {}
    accept_ms: list[float] = []
    mine: list = []
    batch: list = []
    cancels: list = []

    def flush() -> None:
        t0 = time.perf_counter()
        with transaction.atomic():  # the group's orders and cancels commit together
            orders = place_orders(batch)
            cancel_orders([(victim.order_id, victim.customer) for victim in cancels])
        now = time.time()
        accept_ms.append((time.perf_counter() - t0) * 1000)
        accepted.update((o.seq, now) for o in orders)
        mine.extend(orders)
        batch.clear()
        cancels.clear()

    for op in ops:
        if op[0] == "cancel":
            if mine:
                victim = mine[-1 - int(op[1] * min(len(mine), 1000))]
                if group > 1:
                    cancels.append(victim)
                else:
                    cancel_order(victim.order_id, customer=victim.customer)
            continue
        _, who, side, volume, limit = op
        customer = customers[who]
        if group <= 1:
            t0 = time.perf_counter()
            order = place_order(customer, PAIR, side, volume, "EUR", limit)
            accepted[order.seq] = time.time()
            accept_ms.append((time.perf_counter() - t0) * 1000)
            mine.append(order)
            continue
        if not batch:  # a gateway looks the pair up once per group
            market = market_pair(PAIR)
        batch.append(
            validate_order(
                customer, PAIR, side, volume, "EUR", limit, check_arrears=False, market=market
            )
        )
        if len(batch) >= group:
            flush()
    if batch:
        flush()
    out.put({"accepted": accepted, "accept_ms": accept_ms})


def matcher(target, out) -> None:
    """The pair's real matcher, until it has applied ``target`` commands."""
    from kantor.market.doorbell import MatcherSession
    from kantor.market.matcher import Matcher

    batches: list[tuple] = []

    def record(result) -> None:
        batches.append((result.committed_at, result.takers, result.commands, result.trades))

    with MatcherSession([PAIR]) as session:
        m = Matcher(PAIR, on_commit=record)
        while True:
            if m.run_once().commands:
                continue
            if target.value and m.applied >= target.value:
                break
            session.wait(0.2)
    out.put(batches)


def _fork(target, *args):
    from django.db import connections

    connections.close_all()  # each process opens its own connection
    proc = mp.get_context("fork").Process(target=target, args=args)
    proc.start()
    return proc


# -- one database ---------------------------------------------------------------------


def seed() -> None:
    from django.utils import timezone

    from kantor.rates.models import MidRate, OfferedPair
    from tests.factories import fund, make_customer

    MidRate.objects.create(
        pair=OfferedPair.objects.get(code=PAIR),
        ts=timezone.now() - timezone.timedelta(minutes=1),
        mid=Decimal("4.3000"),
        source="bench",
    )
    for i in range(CUSTOMERS):
        c = make_customer(email=f"bench-{i:03d}@example.com")
        fund(c, "100000000.00", "EUR")
        fund(c, "430000000.00", "PLN")


def run_mode(db: str, mode: str, ops: list[tuple], acceptors: int, group: int) -> dict:
    from kantor.market.matcher import Matcher
    from kantor.market.models import MarketSequence, MatcherState, Order, Trade

    seq0 = MatcherState.objects.filter(pair=PAIR).values_list("applied_seq", flat=True).first()
    trades0 = Trade.objects.count()
    orders = sum(1 for op in ops if op[0] == "order")
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    result: dict = {"bench": "market", "db": db, "mode": mode, "orders": orders}
    result["cancels"] = len(ops) - orders
    if mode == "serial":
        t0 = time.perf_counter()
        proc = _fork(acceptor, ops, 1, out)
        accepted = out.get()
        proc.join()
        t1 = time.perf_counter()
        m = Matcher(PAIR)
        while m.run_once().commands:
            pass
        t2 = time.perf_counter()
        result.update(
            acceptors=1,
            accept_s=round(t1 - t0, 2),
            accept_per_s=round(orders / (t1 - t0)),
            match_s=round(t2 - t1, 2),
            match_per_s=round(orders / (t2 - t1)),
            seconds=round(t2 - t0, 2),
            orders_per_s=round(orders / (t2 - t0)),
            accept_ms_p50=percentile(accepted["accept_ms"], 0.5),
            accept_ms_p99=percentile(accepted["accept_ms"], 0.99),
        )
    else:
        target = ctx.Value("q", 0)
        done = ctx.Queue()
        t0 = time.time()
        match_proc = _fork(matcher, target, done)
        slices = [ops[i::acceptors] for i in range(acceptors)]
        procs = [_fork(acceptor, part, group, out) for part in slices]
        parts = [out.get() for _ in procs]
        for p in procs:
            p.join()
        target.value = MarketSequence.objects.get(pair=PAIR).last_seq
        batches = done.get()
        match_proc.join()
        last_commit = max(b[0] for b in batches)
        accepted = {k: v for part in parts for k, v in part["accepted"].items()}
        fill_ms = [
            (committed - accepted[seq]) * 1000
            for committed, takers, _, _ in batches
            for seq in takers
            if seq in accepted
        ]
        commands = sum(b[2] for b in batches)
        result.update(
            acceptors=acceptors,
            group=group,
            seconds=round(last_commit - t0, 2),
            orders_per_s=round(orders / (last_commit - t0)),
            commands_per_s=round(commands / (last_commit - t0)),
            batches=len(batches),
            mean_batch=round(commands / max(1, len(batches)), 1),
            accept_ms_p50=percentile([x for p in parts for x in p["accept_ms"]], 0.5),
            accept_ms_p99=percentile([x for p in parts for x in p["accept_ms"]], 0.99),
            fill_ms_p50=percentile(fill_ms, 0.5),
            fill_ms_p99=percentile(fill_ms, 0.99),
        )
    applied = MatcherState.objects.get(pair=PAIR).applied_seq
    result["commands_applied"] = applied - (seq0 or 0)
    result["trades"] = Trade.objects.count() - trades0
    result["active_orders"] = Order.objects.filter(status="ACTIVE").count()
    return result


def run_database(db: str, url: str, n: int, acceptors: int, group: int, modes: list[str]) -> int:
    os.environ["KANTOR_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kantor.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kantor.ledger.invariants import check_ledger

    call_command("migrate", verbosity=0)
    extra_sql = os.environ.get("KANTOR_BENCH_AFTER_MIGRATE_SQL")
    if extra_sql:  # an experiment, e.g. a proposed trigger (reported in the output)
        with connection.cursor() as cursor:
            cursor.execute(Path(extra_sql).read_text())
    seed()
    emit(
        {
            "bench": "market",
            "db": db,
            "vendor_version": _version(connection),
            "after_migrate_sql": extra_sql or None,
        }
    )
    for i, mode in enumerate(modes):
        ops = stream(n, seed=10 + i)
        emit(run_mode(db, mode, ops, acceptors, group if mode == "grouped" else 1))
    t0 = time.perf_counter()
    report = check_ledger()
    emit(
        {
            "bench": "market",
            "db": db,
            "check": "ledger",
            "ledger_ok": report.ok,
            "transactions": report.transactions,
            "legs": report.legs,
            "check_s": round(time.perf_counter() - t0, 2),
            "problems": report.problems[:3],
        }
    )
    return 0 if report.ok else 1


def _version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return cursor.fetchone()[0]


def _recreate_postgres(url: str) -> str | None:
    """Drop and create the bench database; why not, if the server cannot be reached."""
    try:
        import psycopg
    except ImportError as exc:
        return str(exc)
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # the bench reports it and goes on
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.market", description=__doc__)
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--orders", type=int, help="orders per mode (default 5 000)")
    parser.add_argument("--quick", action="store_true", help="1 000 orders per mode")
    parser.add_argument("--acceptors", type=int, default=2)
    parser.add_argument("--group", type=int, default=100)
    parser.add_argument("--mode", action="append", choices=("serial", "pipeline", "grouped"))
    parser.add_argument("--run", nargs=2, metavar=("DB", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = args.orders or (1_000 if args.quick else 5_000)
    modes = args.mode or ["serial", "pipeline", "grouped"]
    if args.run:
        return run_database(args.run[0], args.run[1], n, args.acceptors, args.group, modes)

    emit({"bench": "market", "machine": machine(), "orders_per_mode": n, "modes": modes})
    status = 0
    for db in ("postgres", "sqlite") if args.db == "both" else (args.db,):
        tmp = Path(tempfile.mkdtemp(prefix="kbench"))
        try:
            if db == "postgres":
                url = os.environ.get("KANTOR_BENCH_DATABASE_URL", DEFAULT_PG)
                why = _recreate_postgres(url)
                if why:
                    emit({"bench": "market", "db": db, "skipped": why})
                    continue
            else:
                url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            env = {k: v for k, v in os.environ.items() if not k.startswith("KANTOR_")}
            env["KANTOR_VAR_DIR"] = str(tmp)
            if db == "postgres" and os.environ.get("KANTOR_BENCH_AFTER_MIGRATE_SQL"):
                env["KANTOR_BENCH_AFTER_MIGRATE_SQL"] = os.environ["KANTOR_BENCH_AFTER_MIGRATE_SQL"]
            cmd = [sys.executable, "-m", "bench.market", "--run", db, url, "--orders", str(n)]
            cmd += ["--acceptors", str(args.acceptors), "--group", str(args.group)]
            for mode in modes:
                cmd += ["--mode", mode]
            status |= subprocess.run(cmd, env=env).returncode
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
