"""RATE-2: public rate pages and JSON. Thin: parse, ask ``queries``, shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import queries
from .charts import line_chart
from .errors import NoRateForPair, PairNotOffered
from .queries import OperatorRate

#: The history page's default span and the choices it links to.
DEFAULT_DAYS = 30
DAY_CHOICES = (1, 7, 30, 90, 365)
MAX_DAYS = 3650


class BadDays(ValueError):
    code = "INVALID_DAYS"


def _days(request: HttpRequest) -> int:
    raw = request.GET.get("days", "")
    if raw == "":
        return DEFAULT_DAYS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise BadDays(f"days must be a whole number from 1 to {MAX_DAYS}, got {raw!r}")
    return int(raw)


def format_ts(ts: datetime) -> str:
    """Walutomat's timestamp form: UTC with milliseconds, ``2018-03-27T09:58:06.945Z``."""
    ts = ts.astimezone(UTC)
    return f"{ts:%Y-%m-%dT%H:%M:%S}.{ts.microsecond // 1000:03d}Z"


def _rate_json(rate: OperatorRate) -> dict:
    return {
        "pair": rate.pair.code,
        "base": rate.pair.base.code,
        "quote": rate.pair.quote.code,
        "ts": format_ts(rate.ts),
        "mid": str(rate.mid),
        "bid": str(rate.bid),
        "ask": str(rate.ask),
    }


def _json_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@require_safe
def rates_table(request: HttpRequest) -> HttpResponse:
    """RATE-2: mid, buy (ask) and sell (bid) of every offered pair."""
    rates = queries.current_rates()
    updated = max((r.ts for r in rates), default=None)
    return render(request, "rates/table.html", {"rates": rates, "updated": updated})


@require_safe
def rates_json(request: HttpRequest) -> JsonResponse:
    """RATE-2: the same table as JSON, rates as decimal strings."""
    rates = queries.current_rates()
    updated = max((r.ts for r in rates), default=None)
    return JsonResponse(
        {
            "segment": "standard",
            "updated": format_ts(updated) if updated else None,
            "rates": [_rate_json(r) for r in rates],
        }
    )


@require_safe
def pair_history(request: HttpRequest, pair: str) -> HttpResponse:
    """RATE-2: a pair's mid history with a server-drawn chart."""
    try:
        config = queries.pair_config(pair)
        days = _days(request)
    except PairNotOffered:
        raise Http404(_("This currency pair is not offered.")) from None
    except BadDays as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    now = timezone.now()
    series = queries.history_series(config.code, now - timedelta(days=days), now)
    try:
        current = queries.current_rate(config.code)
    except NoRateForPair:
        current = None
    return render(
        request,
        "rates/pair.html",
        {
            "pair": config.pair,
            "days": days,
            "day_choices": DAY_CHOICES,
            "series": series,
            "chart": line_chart(series.points),
            "current": current,
        },
    )


@require_safe
def pair_history_json(request: HttpRequest, pair: str) -> JsonResponse:
    """RATE-2: ``?days=N`` (default 30) of a pair's mids, bucketed like the chart."""
    try:
        config = queries.pair_config(pair)
        days = _days(request)
    except PairNotOffered as exc:
        return _json_error(exc.code, str(exc), 404)
    except BadDays as exc:
        return _json_error(exc.code, str(exc), 400)
    now = timezone.now()
    series = queries.history_series(config.code, now - timedelta(days=days), now)
    return JsonResponse(
        {
            "pair": config.code,
            "days": days,
            "since": format_ts(series.since),
            "until": format_ts(series.until),
            "resolution": series.resolution,
            "points": [{"ts": format_ts(ts), "mid": str(mid)} for ts, mid in series.points],
        }
    )
