"""``kantor.market.pairs``: the order gateway's market cache (MON-3)."""

from __future__ import annotations

import pytest

import kantor.market.pairs as pairs
from kantor.market.pairs import MarketCache
from kantor.rates.errors import PairNotOffered


@pytest.mark.postgres
def test_the_market_cache_keeps_one_entry_per_pair_however_it_is_spelled_MON_3(monkeypatch):
    """Entries go by the pair's code: a client's spellings of a pair (case,
    separators, padding) neither read the pair again nor grow the cache."""
    reads = []
    real = pairs.market_pair
    monkeypatch.setattr(pairs, "market_pair", lambda *a, **k: reads.append(a) or real(*a, **k))
    cache = MarketCache()
    markets = [cache.find(s) for s in ("EURPLN", " eur/pln ", "EUR" + "-" * 10_000 + "PLN")]
    assert {m.code for m in markets} == {"EURPLN"}
    assert cache.keys() == ["EURPLN"]
    assert reads == [("EURPLN",)]
    with pytest.raises(PairNotOffered):
        cache.find("not a pair")
    assert cache.keys() == ["EURPLN"]


@pytest.mark.postgres
def test_a_full_market_cache_drops_what_expired_MON_3():
    cache = MarketCache(ttl=0.0, size=1)
    cache.find("EURPLN")
    cache.find("USDPLN")
    assert cache.keys() == ["USDPLN"]
    cache.forget("USDPLN")
    assert not cache.keys()
