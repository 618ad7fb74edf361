"""Seeded command streams for the matching-engine benchmark (bench/engine.py).

A stream is a list of plain tuples, engine-neutral:

* ``(SUBMIT, order_id, owner, side, price_ticks, quantity)`` — a GTC limit
  order with a volume in base minor units; ``side`` is 0 = BUY, 1 = SELL;
* ``(CANCEL, order_id)`` — cancel an earlier order (it may be finished
  already: every engine must cope).

They are also, as they stand, SUBMIT and CANCEL commands of our
``OrderBook.apply`` (``kantor.domain.orderbook_events.CommandKind``: the same
0 and 1, a side given by its value); other engines read them through an
adapter.

Ids run 1, 2, 3... in submission order, so that engines which number orders
themselves (lightmatchingengine) use the same ids. Each order has its own
owner (owner = id) because the comparison engines have no self-match
prevention; with one owner per order ours never triggers it either, and all
engines must agree on every fill.
"""

from __future__ import annotations

import random

__all__ = ["CANCEL", "MID", "SUBMIT", "WORKLOADS", "workload", "workload_a", "workload_b"]

SUBMIT = 0
CANCEL = 1
#: mid rate in ticks: 4.3000 quote per base with 4 rate decimals (EUR/PLN-like)
MID = 43_000

Op = tuple[int, ...]


def workload_a(n: int = 100_000, seed: int = 1) -> list[Op]:
    """A: prices uniform in mid ± 50 ticks, sides 50/50, quantity 1–100;
    after each order a 10% chance to cancel a random earlier order."""
    rnd = random.Random(seed)
    randint, rand = rnd.randint, rnd.random
    ops: list[Op] = []
    for oid in range(1, n + 1):
        ops.append((SUBMIT, oid, oid, randint(0, 1), MID + randint(-50, 50), randint(1, 100)))
        if rand() < 0.1:
            ops.append((CANCEL, randint(1, oid)))
    return ops


def workload_b(n: int = 100_000, seed: int = 2) -> list[Op]:
    """B: 80% passive orders (1–50 ticks behind the mid on their own side),
    20% crossing (1–50 ticks through the mid); after each order a 10% chance
    to cancel one of the last 1 000 ids."""
    rnd = random.Random(seed)
    randint, rand = rnd.randint, rnd.random
    ops: list[Op] = []
    for oid in range(1, n + 1):
        side = randint(0, 1)
        offset = randint(1, 50)
        if rand() < 0.2:
            offset = -offset  # crossing: a buy above the mid, a sell below it
        price = MID - offset if side == 0 else MID + offset
        ops.append((SUBMIT, oid, oid, side, price, randint(1, 100)))
        if rand() < 0.1:
            ops.append((CANCEL, randint(max(1, oid - 999), oid)))
    return ops


WORKLOADS = {"A": workload_a, "B": workload_b}


def workload(name: str, n: int) -> list[Op]:
    return WORKLOADS[name](n)
