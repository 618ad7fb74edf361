"""Smoke tests of the engine benchmark (bench/engine.py): its workloads are what
they claim, our engine runs them like the reference engine, and the bench
command works on a small N. No timing assertions: the bench measures, tests don't."""

from __future__ import annotations

import json

from bench import engine
from bench.workloads import CANCEL, MID, SUBMIT, workload_a, workload_b
from kantor.domain.orderbook import OrderBook
from kantor.domain.orderbook_events import Side
from tests.domain.reference_engine import ReferenceBook

SIDES = (Side.BUY, Side.SELL)


def test_workloads_are_seeded_and_shaped_as_documented():
    a = workload_a(3000)
    assert a == workload_a(3000)
    submits = [op for op in a if op[0] == SUBMIT]
    assert [op[1] for op in submits] == list(range(1, 3001))
    assert all(MID - 50 <= op[4] <= MID + 50 and 1 <= op[5] <= 100 for op in submits)
    assert 200 < sum(1 for op in a if op[0] == CANCEL) < 400  # ~10%

    b = workload_b(3000)
    crossing = [op for op in b if op[0] == SUBMIT and (op[4] > MID if op[3] == 0 else op[4] < MID)]
    assert 450 < len(crossing) < 750  # ~20%
    seen = 0
    for op in b:
        if op[0] == SUBMIT:
            seen = op[1]
        else:
            assert seen - 999 <= op[1] <= seen  # cancels among the last 1 000 ids


def test_bench_workloads_give_the_reference_engines_events():
    for ops in (workload_a(1200), workload_b(1200)):
        book, batched, ref = OrderBook(0, 0, 0), OrderBook(0, 0, 0), ReferenceBook(0, 0, 0)
        expected = []
        for op in ops:
            if op[0] == SUBMIT:
                args = (op[1], op[2], SIDES[op[3]], op[4], op[5])
                events = ref.submit(*args)
                assert book.submit(*args) == events
            else:
                events = ref.cancel(op[1])
                assert book.cancel(op[1]) == events
            expected += events
        # the bench's way: the workload's tuples as commands of apply, in batches
        got = []
        for i in range(0, len(ops), engine.BATCH // 10):
            got += batched.apply(ops[i : i + engine.BATCH // 10])
        assert got == expected


def test_bench_command_runs_our_engine_on_a_small_n(capsys):
    ours = ["kantor", "kantor-rested", "kantor-per-command", "kantor-eurpln"]
    argv = ["-n", "2000", "--repeat", "1"] + [a for name in ours for a in ("--engine", name)]
    assert engine.main(argv) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    rows = [line for line in lines if "ops_per_s" in line]
    assert {(r["workload"], r["engine"]) for r in rows} == {(w, e) for w in "AB" for e in ours}
    assert all(r["fills"] > 0 and r["ops"] > 2000 for r in rows)
    assert all(line["ok"] for line in lines if "check" in line)  # our variants agree
