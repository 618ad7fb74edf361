"""Random identifiers for the hot paths.

``uuid.uuid4()`` reads the operating system's random source once per id,
and each read releases the GIL: in a web process whose threads all want it
(gunicorn's gthread), an order group's leader then waited ~60 µs to get it
back, for every id — 16 per group of 8 orders (py-spy and cProfile,
docs/PERFORMANCE.md). ``uuid4s`` takes the bytes for many ids in one read.
"""

from __future__ import annotations

import os
import uuid

__all__ = ["uuid4s"]


def uuid4s(n: int) -> list[uuid.UUID]:
    """``n`` random (version 4) UUIDs, as ``uuid.uuid4()`` makes them, from one read."""
    raw = os.urandom(16 * n)
    return [uuid.UUID(bytes=raw[i : i + 16], version=4) for i in range(0, 16 * n, 16)]
