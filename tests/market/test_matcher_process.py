"""The matcher process's failure policy: one broken pair does not stop the others.

``run_forever`` is driven here with stand-ins for the per-pair ``Matcher``
and the doorbell, so that the test is about the loop's decisions only; the
real matcher, doorbell and crash recovery are tested in test_matcher.py.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from kantor.market import matcher as matcher_module
from kantor.market.matcher import BatchResult, run_forever


class _Session:
    def __init__(self, codes):
        self.codes = codes

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def wait(self, timeout):
        return set()


def _drive(monkeypatch, broken: set[str], *, rounds: int, park_seconds: float = 60.0):
    """Run the loop until ``rounds`` batches were attempted; the attempts per pair."""
    stop = threading.Event()
    attempts: list[str] = []

    class FakeMatcher:
        unpublished = False  # the book is always published (not this test's subject)

        def __init__(self, code, on_commit=None):
            self.code = code

        def run_once(self):
            attempts.append(self.code)
            if len(attempts) >= rounds:
                stop.set()
            if self.code in broken:
                raise RuntimeError(f"{self.code} is broken")
            return BatchResult(self.code, commands=1)  # a partial batch: then idle

    monkeypatch.setattr(matcher_module, "Matcher", FakeMatcher)
    monkeypatch.setattr(matcher_module, "MatcherSession", _Session)
    monkeypatch.setattr(
        matcher_module, "market_pair", lambda p, offered_only=False: SimpleNamespace(code=p)
    )
    monkeypatch.setattr(matcher_module, "close_old_connections", lambda: None)
    run_forever(
        ["EURPLN", "USDPLN"], stop, safety_timeout=0, max_failures=3, park_seconds=park_seconds
    )
    return attempts


def test_a_pair_failing_repeatedly_is_parked_and_the_other_pair_keeps_trading(monkeypatch):
    attempts = _drive(monkeypatch, broken={"USDPLN"}, rounds=40)

    assert attempts.count("USDPLN") == 3  # parked after max_failures, not retried at once
    assert attempts.count("EURPLN") == 37  # the healthy pair never stopped


def test_when_every_pair_is_parked_the_process_fails_for_its_supervisor(monkeypatch):
    with pytest.raises(RuntimeError, match="is broken"):
        _drive(monkeypatch, broken={"EURPLN", "USDPLN"}, rounds=10_000)


def test_a_parked_pair_is_tried_again_after_its_pause(monkeypatch):
    attempts = _drive(monkeypatch, broken={"USDPLN"}, rounds=60, park_seconds=0)

    assert attempts.count("USDPLN") > 3  # retried once its (zero) pause ended
