"""The source interface and the NBP helpers both NBP sources share (RATE-1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from kantor.domain.money import CurrencyPair
from kantor.domain.rates import MissingMid, cross_mid

__all__ = [
    "NBP_PUBLICATION_TIME",
    "NBP_SOURCE",
    "WARSAW",
    "MidQuote",
    "RateSource",
    "nbp_table_ts",
    "quotes_from_pln_mids",
]

WARSAW = ZoneInfo("Europe/Warsaw")
NBP_SOURCE = "nbp"
#: NBP publishes table A on business days between 11:45 and 12:15 Warsaw
#: time; a table's mids count from 12:15 of its effective date, so nothing
#: (a price band, damages) ever uses a mid before it was public.
NBP_PUBLICATION_TIME = time(12, 15)


@dataclass(frozen=True, slots=True)
class MidQuote:
    """One market mid: quote units per 1 base unit at ``ts`` (aware, UTC)."""

    pair: CurrencyPair
    ts: datetime
    mid: Decimal
    reference: str = ""


class RateSource(Protocol):
    """What ``import_rates`` needs from a source."""

    #: Stored as ``MidRate.source``; part of the idempotency key.
    name: str

    def quotes(self, pairs: Sequence[CurrencyPair]) -> Iterable[MidQuote]:
        """Mids for those of ``pairs`` the source can price; raises
        ``RateSourceError`` (with file and element) on unusable data."""
        ...


def nbp_table_ts(effective: date) -> datetime:
    """The moment (UTC) from which a table A of ``effective`` date counts."""
    return datetime.combine(effective, NBP_PUBLICATION_TIME, tzinfo=WARSAW).astimezone(UTC)


def quotes_from_pln_mids(
    pairs: Sequence[CurrencyPair],
    pln_mids: Mapping[str, Decimal],
    ts: datetime,
    reference: str,
) -> list[MidQuote]:
    """RATE-1: every pair the table can price, cross pairs derived half-up.

    A pair needing a currency the table does not list is left out: the
    import summary shows which pairs got no mid.
    """
    quotes = []
    for pair in pairs:
        try:
            mid = cross_mid(pair, pln_mids)
        except MissingMid:
            continue
        quotes.append(MidQuote(pair=pair, ts=ts, mid=mid, reference=reference))
    return quotes
