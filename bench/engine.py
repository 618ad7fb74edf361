"""Benchmark: Kantor's matching engine against PyPI pure-Python engines.

Run (from the repository root)::

    .venv-bench/bin/python -m bench.engine            # full: 100 000 orders per workload
    .venv-bench/bin/python -m bench.engine --quick    # 10 000 orders, seconds

The comparison engines live only in the bench venv, never in the project's::

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install -e . -r bench/requirements-engines.txt

In the project venv the bench still runs and prints a ``skipped`` line for
each missing engine.

Output: JSON lines on stdout — a header (Python version, GC state, N), one
line per engine × workload (``ops`` counts submits and cancels; ``fills``
counts maker–taker trades; ``volume`` is the base traded), a ``check`` line
per workload (do the compared engines agree on fills and volume?) and a
``ratio`` line per workload and variant of ours: its ops/s over the faster
comparison engine's (``kantor_over_fastest_other`` is the headline). The
exit status is 1 when a check fails.

Method. Each engine gets the same stream through a thin adapter. The timed
runs hand every answer (our event list, their trades or blotter) to a
consumer that lets it go, as the market service would after persisting it;
the time is the best of ``--repeat`` runs on a fresh book, the engines
taking turns, with the garbage collector on (Python's default). One more,
untimed run keeps the answers to count fills: the engines are deterministic.

Our variants. ``kantor`` is the engine as the market's matcher applies
commands: ``OrderBook.apply`` on batches of ``BATCH`` commands (the workload's
tuples are its SUBMIT and CANCEL commands as they stand), without the
``Rested`` events that the market does not use; every fill and every
``Done`` / ``CancelRejected`` is emitted. ``kantor-rested`` is the same with
the ``Rested`` events, ``kantor-per-command`` one ``submit`` / ``cancel``
call per command (all events).

Semantics. These run on a whole-unit scale (D = 1): no amount is rounded,
so our MKT-2 reservation cap never binds and their fills must equal the
others' exactly. ``kantor-eurpln`` is ``kantor`` on EUR/PLN's scale
(D = 10**4), shown for its cost; there MON-2 rounds each fill and a buy filled
in pieces at its limit can use up its reservation a few units early
(EXHAUSTED), so its fills differ slightly and it is left out of the check
and the ratios. Ours runs with self-match prevention on; every order has its
own owner, so it never triggers. Adapter details that change no fill:
lightmatchingengine keeps fully filled orders in its id map and fails an
``assert`` when one of them is cancelled, so its adapter cancels only orders
with ``leaves_qty > 0``; pyorderbook cancels by ``Order`` object and raises
on unknown ones, so its adapter checks ``order_map`` first.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import sys
import time
from collections.abc import Callable

from bench.workloads import SUBMIT, WORKLOADS, Op
from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import EventKind, Side

Result = tuple[float, int, int]  # seconds, fills, base volume


def _drop(_: object) -> None:
    """A consumer that handles each answer and lets it go, as the market service does."""


FULL_N = 100_000
#: commands per ``apply`` call: the matcher's default batch (KANTOR_MARKET_BATCH_SIZE)
BATCH = 1000
QUICK_N = 10_000


def run_kantor(
    ops: list[Op], count: bool, scale: tuple[int, int, int] = (0, 0, 0), rested: bool = False
) -> Result:
    """Ours as the matcher runs it: ``apply`` on batches of ``BATCH`` commands,
    on a whole-unit scale (D = 1) by default."""
    book = OrderBook(*scale)
    apply = book.apply
    out: list = []
    keep = out.append if count else _drop
    t0 = time.perf_counter()
    for i in range(0, len(ops), BATCH):
        keep(apply(ops[i : i + BATCH], rested=rested))
    seconds = time.perf_counter() - t0
    return seconds, *_count_fills(out)


def run_kantor_rested(ops: list[Op], count: bool) -> Result:
    """``kantor`` with the ``Rested`` events too."""
    return run_kantor(ops, count, rested=True)


def run_kantor_per_command(ops: list[Op], count: bool) -> Result:
    """Ours, one ``submit`` or ``cancel`` call per command."""
    book = OrderBook(0, 0, 0)
    submit, cancel = book.submit, book.cancel
    sides = (Side.BUY, Side.SELL)
    out: list = []
    keep = out.append if count else _drop
    t0 = time.perf_counter()
    for op in ops:
        if op[0] == SUBMIT:
            keep(submit(op[1], op[2], sides[op[3]], op[4], op[5]))
        else:
            keep(cancel(op[1]))
    seconds = time.perf_counter() - t0
    return seconds, *_count_fills(out)


def _count_fills(answers: list[list]) -> tuple[int, int]:
    fills = volume = 0
    for events in answers:
        for e in events:
            if e[0] is EventKind.FILL:
                fills += 1
                volume += e[6]  # Fill.base
    return fills, volume


def run_kantor_eurpln(ops: list[Op], count: bool) -> Result:
    """Ours on EUR/PLN's scale (2 base and 2 quote decimals, 4 rate decimals, D = 10**4):
    MON-2 rounds every fill, and a buy filled in pieces at its limit can wear its
    reservation down (MKT-2 cap, EXHAUSTED), so a few fills differ from the others."""
    return run_kantor(ops, count, (2, 2, 4))


def run_lightmatchingengine(ops: list[Op], count: bool) -> Result:
    from lightmatchingengine.lightmatchingengine import (
        LightMatchingEngine,
    )
    from lightmatchingengine.lightmatchingengine import (
        OrderBook as LmeBook,
    )
    from lightmatchingengine.lightmatchingengine import (
        Side as LmeSide,
    )

    engine = LightMatchingEngine()
    book = engine.order_books["EURPLN"] = LmeBook()
    id_map = book.order_id_map
    add, cancel = engine.add_order, engine.cancel_order
    sides = (LmeSide.BUY, LmeSide.SELL)
    out: list = []
    keep = out.append if count else _drop
    t0 = time.perf_counter()
    for op in ops:
        if op[0] == SUBMIT:
            keep(add("EURPLN", op[4], op[5], sides[op[3]]))
        else:
            order = id_map.get(op[1])
            if order is not None and order.leaves_qty > 0:
                cancel(op[1], "EURPLN")
    seconds = time.perf_counter() - t0
    fills = volume = 0
    for order, trades in out:
        for t in trades:
            if t.order_id != order.order_id:  # the passive side of each trade
                fills += 1
                volume += t.trade_qty
    return seconds, fills, volume


def run_pyorderbook(ops: list[Op], count: bool) -> Result:
    from pyorderbook import Book, ask, bid

    book = Book()
    match, cancel, live = book.match, book.cancel, book.order_map
    makers = (bid, ask)
    by_id = {}
    out: list = []
    keep = out.append if count else _drop
    t0 = time.perf_counter()
    for op in ops:
        if op[0] == SUBMIT:
            order = makers[op[3]]("EURPLN", op[4], op[5])
            by_id[op[1]] = order
            keep(match(order))
        else:
            order = by_id.get(op[1])
            if order is not None and order.id in live:
                cancel(order)
    seconds = time.perf_counter() - t0
    fills = volume = 0
    for blotter in out:
        fills += len(blotter.trades)
        volume += sum(t.fill_quantity for t in blotter.trades)
    return seconds, fills, volume


ENGINES: dict[str, tuple[str, Callable[[list[Op], bool], Result]]] = {
    "kantor": ("kantor", run_kantor),
    "kantor-rested": ("kantor", run_kantor_rested),
    "kantor-per-command": ("kantor", run_kantor_per_command),
    "kantor-eurpln": ("kantor", run_kantor_eurpln),
    "lightmatchingengine": ("lightmatchingengine", run_lightmatchingengine),
    "pyorderbook": ("pyorderbook", run_pyorderbook),
}


#: engines whose fills must agree exactly (same semantics on the D = 1 scale)
COMPARED = (
    "kantor",
    "kantor-rested",
    "kantor-per-command",
    "lightmatchingengine",
    "pyorderbook",
)
#: our variants in COMPARED, each given a ratio to the faster comparison engine
OURS = ("kantor", "kantor-rested", "kantor-per-command")


def available(name: str) -> str | None:
    """None when the engine can run here, else why not."""
    module = ENGINES[name][0]
    try:
        __import__(module)
    except Exception as exc:  # report any import failure, the bench goes on
        return f"{type(exc).__name__}: {exc}"
    return None


def measure(names: list[str], ops: list[Op], repeat: int) -> dict[str, Result]:
    """Per engine, the best time of ``repeat`` runs that let each answer go, the
    engines taking turns (so that a change in the machine's load hits them
    alike); then one untimed run that keeps the answers to count fills
    (engines are deterministic)."""
    best = dict.fromkeys(names, float("inf"))
    for _ in range(repeat):
        for name in names:
            gc.collect()
            best[name] = min(best[name], ENGINES[name][1](ops, False)[0])
    results = {}
    for name in names:
        gc.collect()
        _, fills, volume = ENGINES[name][1](ops, True)
        results[name] = (best[name], fills, volume)
    return results


def emit(line: dict) -> None:
    print(json.dumps(line), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N} orders per workload")
    parser.add_argument("-n", type=int, help="orders per workload (overrides --quick)")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), action="append")
    parser.add_argument("--engine", choices=sorted(ENGINES), action="append")
    parser.add_argument("--repeat", type=int, help="best of N runs (default 3, --quick 1)")
    args = parser.parse_args(argv)
    n = args.n or (QUICK_N if args.quick else FULL_N)
    repeat = args.repeat or (1 if args.quick else 3)
    engines = args.engine or list(ENGINES)
    emit(
        {
            "bench": "engine",
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "gc": gc.isenabled(),
            "orders_per_workload": n,
            "repeat": repeat,
        }
    )
    ok = True
    for wl in args.workload or sorted(WORKLOADS):
        ops = WORKLOADS[wl](n)
        submits = sum(1 for op in ops if op[0] == SUBMIT)
        runnable = []
        for name in engines:
            why = available(name)
            if why is None:
                runnable.append(name)
            else:
                emit({"bench": "engine", "workload": wl, "engine": name, "skipped": why})
        results = measure(runnable, ops, repeat)
        for name, (seconds, fills, volume) in results.items():
            emit(
                {
                    "bench": "engine",
                    "workload": wl,
                    "engine": name,
                    "ops": len(ops),
                    "submits": submits,
                    "cancels": len(ops) - submits,
                    "seconds": round(seconds, 4),
                    "ops_per_s": round(len(ops) / seconds),
                    "fills": fills,
                    "volume": volume,
                }
            )
        counts = {name: (r[1], r[2]) for name, r in results.items() if name in COMPARED}
        agree = len(set(counts.values())) <= 1
        ok = ok and agree
        emit({"bench": "engine", "workload": wl, "check": "fills_and_volume_agree", "ok": agree})
        others = {k: v for k, v in results.items() if k in COMPARED and k not in OURS}
        if not others:
            continue
        fastest = min(others, key=lambda k: others[k][0])
        for name in OURS:
            if name in results:
                emit(
                    {
                        "bench": "engine",
                        "workload": wl,
                        "ratio": f"{name}_over_fastest_other",
                        "vs": fastest,
                        "value": round(others[fastest][0] / results[name][0], 2),
                    }
                )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
