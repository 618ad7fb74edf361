"""``kantor.core.ttlcache``: entries that expire, in a bounded cache."""

from __future__ import annotations

from kantor.core.ttlcache import TtlCache


def test_an_entry_is_found_until_it_expires():
    fresh, stale = TtlCache(ttl=60.0, size=4), TtlCache(ttl=0.0, size=4)
    fresh.put("a", 1)
    stale.put("a", 1)
    assert fresh.get("a") == 1 and fresh.get("b") is None
    assert stale.get("a") is None


def test_a_full_cache_drops_what_expired_first_and_everything_only_if_nothing_did():
    cache = TtlCache(ttl=0.0, size=2)
    cache.put("old", 0)
    cache.ttl = 60.0
    cache.put("kept", 1)
    cache.put("new", 2)  # full: "old" had expired
    assert cache.keys() == ["kept", "new"]
    cache.put("newer", 3)  # full of fresh entries: all go
    assert cache.keys() == ["newer"]


def test_entries_are_dropped_by_key_or_by_value():
    cache = TtlCache(ttl=60.0, size=8)
    for n in range(4):
        cache.put(n, n * 10)
    cache.pop(0)
    cache.pop(99)  # absent: nothing happens
    cache.drop(lambda value: value >= 20)
    assert cache.keys() == [1]
    cache.clear()
    assert cache.keys() == []
