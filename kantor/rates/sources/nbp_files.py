"""NBP table A JSON files, in the NBP API's own format (RATE-1).

``https://api.nbp.pl/api/exchangerates/tables/A/`` (and its date-range
variants) answers with a list of tables::

    [{"table": "A", "no": "206/A/NBP/2026", "effectiveDate": "2026-10-23",
      "rates": [{"currency": "euro", "code": "EUR", "mid": 4.3917}, ...]}]

Each ``mid`` is PLN per 1 unit of the currency. Numbers are read as
``Decimal`` straight from the JSON text (never through a float). A file may
also hold one table object on its own. Anything else is refused with the
file and the element that is wrong, before anything is stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from kantor.domain.money import CurrencyPair

from ..errors import RateSourceError
from .base import NBP_SOURCE, MidQuote, nbp_table_ts, quotes_from_pln_mids

__all__ = ["NbpTable", "NbpTableFiles", "parse_table_a"]


@dataclass(frozen=True)
class NbpTable:
    """One NBP table A: PLN mids of one effective date."""

    no: str
    effective_date: date
    mids: dict[str, Decimal] = field(default_factory=dict)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _load_json(text: str, file: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise RateSourceError(
            f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})", file=file
        ) from None
    except ValueError as exc:
        raise RateSourceError(f"not valid JSON ({exc})", file=file) from None


def _mid(value: Any, file: str, element: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise RateSourceError(f"mid must be a number, got {value!r}", file=file, element=element)
    mid = Decimal(value)
    if not mid.is_finite() or mid <= 0:
        raise RateSourceError(f"mid must be positive, got {value}", file=file, element=element)
    return mid


def _table(raw: Any, file: str, element: str) -> NbpTable:
    if not isinstance(raw, dict):
        raise RateSourceError("a table must be a JSON object", file=file, element=element)
    if raw.get("table") != "A":
        raise RateSourceError(
            f"table {raw.get('table')!r} is not NBP table A (mid rates)",
            file=file,
            element=f"{element}.table",
        )
    no = raw.get("no")
    if not isinstance(no, str) or not no.strip():
        raise RateSourceError("missing table number", file=file, element=f"{element}.no")
    when = raw.get("effectiveDate")
    try:
        if not isinstance(when, str) or len(when) != 10:
            raise ValueError
        effective = date.fromisoformat(when)
    except ValueError:
        raise RateSourceError(
            f"effectiveDate must be YYYY-MM-DD, got {when!r}",
            file=file,
            element=f"{element}.effectiveDate",
        ) from None
    rates = raw.get("rates")
    if not isinstance(rates, list) or not rates:
        raise RateSourceError(
            "rates must be a non-empty list", file=file, element=f"{element}.rates"
        )
    mids: dict[str, Decimal] = {}
    for j, rate in enumerate(rates):
        where = f"{element}.rates[{j}]"
        if not isinstance(rate, dict):
            raise RateSourceError("a rate must be a JSON object", file=file, element=where)
        code = rate.get("code")
        if not isinstance(code, str) or len(code) != 3 or not code.isalpha() or not code.isupper():
            raise RateSourceError(
                f"code must be an ISO 4217 code, got {code!r}", file=file, element=f"{where}.code"
            )
        if code in mids:
            raise RateSourceError(f"{code} listed twice", file=file, element=f"{where}.code")
        mids[code] = _mid(rate.get("mid"), file, f"{where}.mid")
    return NbpTable(no=no.strip(), effective_date=effective, mids=mids)


def parse_table_a(text: str, *, file: str = "<data>") -> list[NbpTable]:
    """RATE-1: the tables of one NBP API answer; ``RateSourceError`` if malformed."""
    data = _load_json(text, file)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise RateSourceError(
            "expected a list of tables (the NBP API's /tables/A/ answer)", file=file, element="$"
        )
    if not data:
        raise RateSourceError("the file lists no tables", file=file, element="$")
    return [_table(raw, file, f"[{i}]") for i, raw in enumerate(data)]


class NbpTableFiles:
    """RATE-1: NBP table A JSON from a file or a directory of ``*.json`` files."""

    name = NBP_SOURCE

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._tables: list[NbpTable] | None = None

    def files(self) -> list[Path]:
        if self.path.is_dir():
            found = sorted(p for p in self.path.glob("*.json") if p.is_file())
            if not found:
                raise RateSourceError("the directory holds no .json files", file=str(self.path))
            return found
        if not self.path.is_file():
            raise RateSourceError("no such file or directory", file=str(self.path))
        return [self.path]

    def tables(self) -> list[NbpTable]:
        """Every table of every file, read and checked once (then remembered)."""
        if self._tables is not None:
            return self._tables
        tables: list[NbpTable] = []
        for path in self.files():
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise RateSourceError("not UTF-8 text", file=str(path)) from None
            except OSError as exc:
                raise RateSourceError(f"cannot read ({exc.strerror})", file=str(path)) from None
            tables.extend(parse_table_a(text, file=str(path)))
        self._tables = tables
        return tables

    def quotes(self, pairs: Sequence[CurrencyPair]) -> list[MidQuote]:
        quotes: list[MidQuote] = []
        for table in self.tables():
            ts = nbp_table_ts(table.effective_date)
            quotes.extend(quotes_from_pln_mids(pairs, table.mids, ts, reference=table.no))
        return quotes
