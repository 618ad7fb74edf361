"""The demo ticker as a rate source (RATE-1): offline, deterministic.

The walk is pure (``kantor.domain.rates.DemoWalk``): a pair's demo mid at a
step is a function of the seed, the pair's last real mid (the anchor) and
its step, and the step. This source is told, per pair, the anchor and after
which step to continue, and yields the mids of the steps up to
``end_index``; ``kantor.rates.actions.tick_demo`` reads those from the mid
history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kantor.domain.money import CurrencyPair
from kantor.domain.rates import DemoWalk

from .base import MidQuote

__all__ = ["DEMO_SOURCE", "DemoTicker", "WalkStart"]

DEMO_SOURCE = "demo"


@dataclass(frozen=True, slots=True)
class WalkStart:
    """A pair's anchor (last real mid and its step) and the last step already stored."""

    anchor: Decimal
    anchor_index: int
    after_index: int


class DemoTicker:
    """RATE-1: mids of the demo walk for steps ``after_index + 1 .. end_index``."""

    name = DEMO_SOURCE

    def __init__(self, walk: DemoWalk, starts: Mapping[CurrencyPair, WalkStart], end_index: int):
        self.walk = walk
        self.starts = dict(starts)
        self.end_index = end_index

    def quotes(self, pairs: Sequence[CurrencyPair]) -> Iterator[MidQuote]:
        for pair in pairs:
            start = self.starts.get(pair)
            if start is None:
                continue
            steps = self.walk.mids(
                pair, start.anchor, start.anchor_index, start.after_index, self.end_index
            )
            for index, mid in steps:
                yield MidQuote(
                    pair=pair, ts=self.walk.step_time(index), mid=mid, reference=f"step {index}"
                )
