"""MKT-12: the public order book and last trades of a pair, as JSON. Thin."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from kantor.api.formats import format_amount, format_ts
from kantor.rates.errors import PairNotOffered

from . import queries

#: Levels per side and trades shown; the matcher publishes this many levels at least.
BOOK_LEVELS = 20
TRADES = 50


def _error(exc: PairNotOffered) -> JsonResponse:
    return JsonResponse({"error": {"code": exc.code, "message": str(exc)}}, status=404)


def _levels(levels) -> list[dict]:
    return [
        {
            "rate": str(lv.price),
            "volume": format_amount(lv.volume),
            "value": format_amount(lv.value),
        }
        for lv in levels
    ]


@require_safe
def book_json(request: HttpRequest, pair: str) -> JsonResponse:
    """Aggregated rate levels, best first; ``volume`` in the base currency,
    ``value`` in the quote currency (what a taker would pay or receive)."""
    try:
        book = queries.book(pair, BOOK_LEVELS)
    except PairNotOffered as exc:
        return _error(exc)
    return JsonResponse(
        {
            "pair": book.pair.code,
            "base": book.pair.base.code,
            "quote": book.pair.quote.code,
            "ts": book.ts,
            "bids": _levels(book.bids),
            "asks": _levels(book.asks),
        }
    )


@require_safe
def trades_json(request: HttpRequest, pair: str) -> JsonResponse:
    """The latest trades, newest first, with no one's identity."""
    try:
        trades = queries.last_trades(pair, TRADES)
    except PairNotOffered as exc:
        return _error(exc)
    return JsonResponse(
        {
            "pair": pair.upper(),
            "trades": [
                {
                    "ts": format_ts(t.ts),
                    "rate": t.price,
                    "volume": format_amount(t.volume),
                    "value": format_amount(t.value),
                    "takerSide": t.taker_side,
                }
                for t in trades
            ],
        }
    )
