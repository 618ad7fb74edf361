"""MKT-12: the published book keeps up without costing every batch.

During a burst the matcher publishes the book at most every
``KANTOR_MARKET_SNAPSHOT_INTERVAL`` seconds; once the log is drained it
publishes what is pending. Fills are never held back.
"""

from __future__ import annotations

from kantor.market import queries
from kantor.market.matcher import Matcher
from kantor.market.models import MatcherState, Order, OrderStatus
from tests.market.conftest import place


def asks(pair="EURPLN"):
    return [(str(level.price), str(level.volume)) for level in queries.book(pair).asks]


def test_a_burst_publishes_at_most_once_per_interval_and_catches_up_when_drained_MKT_12(
    mid, seller, settings
):
    settings.KANTOR_MARKET_SNAPSHOT_INTERVAL = 3600
    matcher = Matcher("EURPLN")
    place(seller, "SELL", "10.00", "EUR", "4.3100")
    matcher.run_once()  # the first batch publishes
    first = asks()
    assert len(first) == 1

    place(seller, "SELL", "20.00", "EUR", "4.3200")
    matcher.run_once()  # within the interval: applied, not yet published
    assert MatcherState.objects.get(pair="EURPLN").applied_seq == 2
    assert Order.objects.filter(status=OrderStatus.ACTIVE).count() == 2
    assert asks() == first
    assert matcher.unpublished

    assert matcher.run_once().commands == 0  # drained: the pending book goes out
    assert len(asks()) == 2
    assert not matcher.unpublished


def test_with_no_interval_every_batch_publishes_MKT_12(mid, seller, settings):
    settings.KANTOR_MARKET_SNAPSHOT_INTERVAL = 0
    matcher = Matcher("EURPLN")
    for i, price in enumerate(("4.3100", "4.3200", "4.3300"), start=1):
        place(seller, "SELL", "10.00", "EUR", price)
        matcher.run_once()
        assert len(asks()) == i
