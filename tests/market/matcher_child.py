"""A child process for the crash tests: seed a market, run its matcher, verify it.

    python -m tests.market.matcher_child seed N       N random EUR/PLN orders (committed)
    python -m tests.market.matcher_child match [--pause K] [--batch-size B]
    python -m tests.market.matcher_child verify       a JSON report on stdout

The database is the one ``KANTOR_DATABASE_URL`` names. ``match --pause K``
sets the matcher's test hook: batch K's writes are made, uncommitted, the
child prints ``PAUSED K`` and blocks, so that the parent can SIGKILL it
mid-batch. Without ``--pause`` it drains the log and exits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
from datetime import timedelta
from decimal import Decimal

import django


def _setup(batch_size: int | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kantor.settings")
    django.setup()
    from django.conf import settings

    if batch_size:
        settings.KANTOR_MARKET_BATCH_SIZE = batch_size


def seed(n: int) -> dict:
    from django.utils import timezone

    from kantor.market.actions import cancel_order, place_order
    from kantor.market.errors import AmountTooSmall
    from kantor.rates.models import MidRate, OfferedPair
    from tests.factories import fund, make_customer

    MidRate.objects.get_or_create(
        pair=OfferedPair.objects.get(code="EURPLN"),
        ts=timezone.now() - timedelta(minutes=5),
        source="crash-test",
        defaults={"mid": Decimal("4.3000")},
    )
    rnd = random.Random(7)
    customers = [make_customer(email=f"crash{i}-{rnd.random()}@example.com") for i in range(4)]
    for c in customers:
        fund(c, "100000.00", "EUR")
        fund(c, "430000.00", "PLN")
    placed = []
    for _ in range(n):
        side = rnd.choice(["BUY", "SELL"])
        limit = Decimal(43_000 + rnd.randint(-60, 60)).scaleb(-4)
        volume = Decimal(rnd.randint(300, 20_000)).scaleb(-2)
        try:
            placed.append(place_order(rnd.choice(customers), "EURPLN", side, volume, "EUR", limit))
        except AmountTooSmall:
            continue
        if placed and rnd.random() < 0.1:
            victim = rnd.choice(placed)
            cancel_order(victim.order_id, customer=victim.customer)
    return {"orders": len(placed)}


def match(pause: int | None) -> None:
    from kantor.market.matcher import run_forever, run_matcher_once

    if pause:
        os.environ["KANTOR_MARKET_TEST_PAUSE_BEFORE_COMMIT"] = str(pause)
        run_forever(["EURPLN"], threading.Event())  # blocks in the hook, or forever
    else:
        run_matcher_once("EURPLN")


def verify() -> dict:
    from django.db.models import Count

    from kantor.ledger.invariants import check_ledger
    from kantor.ledger.models import LedgerTransaction
    from kantor.market.matcher import Matcher
    from kantor.market.models import MarketSequence, MatcherState, Order, OrderStatus, Trade
    from tests.market.replay import booked_fills, replay

    fills, book = replay()
    rebuilt = Matcher("EURPLN")  # the book as a restarted matcher loads it
    duplicate_keys = (
        LedgerTransaction.objects.values("idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    report = check_ledger()
    return {
        "last_seq": MarketSequence.objects.get(pair="EURPLN").last_seq,
        "applied_seq": MatcherState.objects.get(pair="EURPLN").applied_seq,
        "trades": Trade.objects.count(),
        "max_trade_seq": max(Trade.objects.values_list("seq", flat=True), default=0),
        "active": Order.objects.filter(status=OrderStatus.ACTIVE).count(),
        "ledger_ok": report.ok,
        "problems": report.problems[:5],
        "duplicate_keys": duplicate_keys,
        "fills_equal_replay": booked_fills() == fills[: len(booked_fills())],
        "all_fills_equal_replay": booked_fills() == fills,
        "book_equal_replay": rebuilt.book.snapshot() == book.snapshot(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("seed").add_argument("n", type=int)
    m = sub.add_parser("match")
    m.add_argument("--pause", type=int, default=None)
    m.add_argument("--batch-size", type=int, default=None)
    sub.add_parser("verify")
    args = parser.parse_args()
    _setup(getattr(args, "batch_size", None))
    if args.cmd == "seed":
        print(json.dumps(seed(args.n)))
    elif args.cmd == "match":
        match(args.pause)
    else:
        print(json.dumps(verify()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
