"""What each part of the platform says it holds in customers' reserved accounts.

MON-5: reserved funds are not available. ``kantor ledger check`` compares
every customer's reserved balance with the sum of what the registered sources
(open market orders, pending withdrawals, holds…) say they reserve. Each app
registers its source in ``AppConfig.ready``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

#: A source returns {(customer_id, currency): reserved minor units}.
ReservationSource = Callable[[], Mapping[tuple[int, str], int]]

_sources: dict[str, ReservationSource] = {}


def register(name: str, source: ReservationSource) -> None:
    _sources[name] = source


def expected_reserved() -> dict[tuple[int, str], int]:
    total: dict[tuple[int, str], int] = defaultdict(int)
    for source in _sources.values():
        for key, minor in source().items():
            total[key] += minor
    return dict(total)


def source_names() -> list[str]:
    return sorted(_sources)
