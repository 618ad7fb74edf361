"""A small in-process cache whose entries expire: a web process's memory of a
few hot rows (API keys, markets) that a writer re-checks where it counts."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["TtlCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Entries live ``ttl`` seconds, at most ``size`` of them. A full cache
    first drops what expired, and only if that frees nothing everything: one
    caller storing many entries cannot keep emptying it for the others for
    long, and the memory stays bounded. Thread-safe as far as a ``dict`` is
    under the GIL: a race costs a second read, never a wrong entry."""

    def __init__(self, *, ttl: float, size: int):
        self.ttl = ttl
        self.size = size
        self._entries: dict[K, tuple[V, float]] = {}

    def get(self, key: K) -> V | None:
        """The value stored under ``key`` if it has not expired, else None."""
        entry = self._entries.get(key)
        return entry[0] if entry is not None and entry[1] > time.monotonic() else None

    def put(self, key: K, value: V) -> None:
        now = time.monotonic()
        if len(self._entries) >= self.size:
            self._entries = {k: e for k, e in self._entries.items() if e[1] > now}
            if len(self._entries) >= self.size:
                self._entries = {}
        self._entries[key] = (value, now + self.ttl)

    def pop(self, key: K) -> None:
        self._entries.pop(key, None)

    def drop(self, unwanted: Callable[[V], bool]) -> None:
        """Drop every entry whose value is ``unwanted``."""
        for key, (value, _) in list(self._entries.items()):
            if unwanted(value):
                self._entries.pop(key, None)

    def keys(self) -> list[K]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries = {}
