"""RATE-2: a rate chart drawn on the server as an SVG polyline.

No JavaScript, no CDN: the page works offline and in any browser. All
geometry is done in ``Decimal`` and printed with one decimal, so the same
history always draws the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["LineChart", "line_chart"]

_PIXEL = Decimal("0.1")


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    #: SVG ``points`` attribute: ``"x,y x,y ..."`` in the viewBox's units.
    points: str
    low: Decimal
    high: Decimal
    first_ts: datetime
    last_ts: datetime
    count: int


def _px(value: Decimal) -> str:
    return str(value.quantize(_PIXEL, rounding=ROUND_HALF_UP))


def line_chart(
    series: Sequence[tuple[datetime, Decimal]],
    *,
    width: int = 720,
    height: int = 240,
    pad: int = 8,
) -> LineChart | None:
    """The polyline of ``series`` (oldest first); ``None`` when there is nothing to draw."""
    if not series:
        return None
    low = min(mid for _, mid in series)
    high = max(mid for _, mid in series)
    t0, t1 = series[0][0], series[-1][0]
    span_s = Decimal((t1 - t0).total_seconds()) if t1 > t0 else Decimal(0)
    inner_w, inner_h = Decimal(width - 2 * pad), Decimal(height - 2 * pad)
    coords = []
    for ts, mid in series:
        if span_s:
            x = pad + inner_w * Decimal((ts - t0).total_seconds()) / span_s
        else:
            x = Decimal(width) / 2
        y = pad + inner_h * (high - mid) / (high - low) if high > low else Decimal(height) / 2
        coords.append(f"{_px(x)},{_px(y)}")
    return LineChart(
        width=width,
        height=height,
        points=" ".join(coords),
        low=low,
        high=high,
        first_ts=t0,
        last_ts=t1,
        count=len(series),
    )
