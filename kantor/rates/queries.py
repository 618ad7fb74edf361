"""Reads of rates that other apps use (RATE-1, RATE-2); no writes here.

Pairs may be named as ``CurrencyPair`` or as text (``"EURPLN"``,
``"EUR/PLN"``). Every rate returned is a ``Decimal`` at the precision it was
published with; every ``datetime`` is aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Max
from django.db.models.functions import Trunc
from django.utils import timezone

from kantor.core.rows import RowLoader
from kantor.domain.money import (
    MONEY_CONTEXT,
    CurrencyPair,
    Money,
    MoneyError,
    currency,
    round_half_up,
)

from .errors import NoRateForPair, PairNotOffered
from .models import STANDARD_SEGMENT, Margin, MidRate, OfferedPair, PublishedRate
from .sources.base import WARSAW

__all__ = [
    "HistorySeries",
    "OperatorRate",
    "current_rate",
    "current_rates",
    "effective_segment",
    "history",
    "history_series",
    "latest_mid",
    "mid_at",
    "offered_pairs",
    "pair_config",
    "pln_mid",
    "rate_by_ts",
    "to_pln",
]


@dataclass(frozen=True)
class OperatorRate:
    """RATE-1: the operator's published rates for a pair, valid from ``ts``.

    ``bid`` is the rate at which the operator buys the base currency (the
    customer sells: Walutomat's ``sellRate``), ``ask`` the rate at which it
    sells (the customer buys: ``buyRate``).
    """

    pair: CurrencyPair
    ts: datetime
    mid: Decimal
    bid: Decimal
    ask: Decimal
    segment: str = STANDARD_SEGMENT

    @property
    def buy_margin(self) -> Decimal:
        """LOCK-11 ``Mk``: mid − bid, in quote units per base unit."""
        return self.mid - self.bid

    @property
    def sell_margin(self) -> Decimal:
        """LOCK-11 ``Ms``: ask − mid, in quote units per base unit."""
        return self.ask - self.mid


@dataclass(frozen=True)
class HistorySeries:
    """RATE-2: mids for a chart, one point per bucket (the bucket's last mid)."""

    pair: CurrencyPair
    since: datetime
    until: datetime
    resolution: str
    points: list[tuple[datetime, Decimal]]


def _code(pair: str | CurrencyPair) -> str:
    if isinstance(pair, CurrencyPair):
        return pair.code
    try:
        return CurrencyPair.parse(pair).code
    except MoneyError:
        raise PairNotOffered(f"{pair!r} is not a currency pair") from None


_PAIRS = RowLoader(OfferedPair)
_PAIR_BY_CODE = f"SELECT {_PAIRS.columns('p')} FROM rates_offeredpair p WHERE code = %s"  # noqa: S608


def pair_config(pair: str | CurrencyPair, *, offered_only: bool = True) -> OfferedPair:
    """MON-3: the operator's configuration of a pair; ``PairNotOffered`` if none.

    With ``offered_only=False`` a pair the operator stopped offering is still
    found: its history stays readable (damages, charts, valuations).
    """
    code = _code(pair)
    # A plain cursor (RowLoader): every order and quote starts here, and the
    # ORM's query machinery cost five times what running the query does.
    with connection.cursor() as cursor:
        cursor.execute(_PAIR_BY_CODE, [code])
        row = cursor.fetchone()
    config = _PAIRS.load(row) if row is not None else None
    if config is None or (offered_only and not config.enabled):
        raise PairNotOffered(f"{code} is not offered")
    return config


def _exact(value: Decimal, pair: CurrencyPair) -> Decimal:
    """The stored value at the pair's decimals, never rounded (exact or as is)."""
    q = value.quantize(pair.rate_quantum, context=MONEY_CONTEXT)
    return q if q == value else value.normalize()


def _operator_rate(row: PublishedRate, pair: CurrencyPair) -> OperatorRate:
    return OperatorRate(
        pair=pair,
        ts=row.ts,
        mid=_exact(row.mid, pair),
        bid=_exact(row.bid, pair),
        ask=_exact(row.ask, pair),
        segment=row.segment,
    )


def effective_segment(segment: str) -> str:
    """RATE-1: a segment the operator set no margins for is quoted as ``standard``.

    ``publish_rates`` publishes every segment that has a margin row; a
    customer in any other segment (``Customer.segment`` is free text) gets the
    standard rates rather than none.
    """
    if segment == STANDARD_SEGMENT or Margin.objects.filter(segment=segment).exists():
        return segment
    return STANDARD_SEGMENT


def offered_pairs() -> list[CurrencyPair]:
    """MON-3: the pairs the operator offers now, in display order."""
    return [c.pair for c in OfferedPair.objects.filter(enabled=True)]


def current_rate(pair: str | CurrencyPair, segment: str = STANDARD_SEGMENT) -> OperatorRate:
    """RATE-1: the latest rates published for the pair and customer segment."""
    config = pair_config(pair)
    segment = effective_segment(segment)
    row = PublishedRate.objects.filter(pair=config, segment=segment).order_by("-ts").first()
    if row is None:
        raise NoRateForPair(f"no rate published for {config.code} ({segment})")
    return _operator_rate(row, config.pair)


def current_rates(segment: str = STANDARD_SEGMENT) -> list[OperatorRate]:
    """RATE-2: the current rate of every offered pair that has one, in display order."""
    rates = []
    for pair in offered_pairs():
        try:
            rates.append(current_rate(pair, segment))
        except NoRateForPair:
            continue
    return rates


def rate_by_ts(
    pair: str | CurrencyPair, ts: datetime, segment: str = STANDARD_SEGMENT
) -> OperatorRate:
    """FX-1/API-1: the published rate whose identifier is exactly ``ts``.

    Whether the quote is still valid (``KANTOR_DIRECT_FX_QUOTE_VALIDITY_SECONDS``)
    is the caller's rule; this only finds it.
    """
    config = pair_config(pair)
    segment = effective_segment(segment)
    row = PublishedRate.objects.filter(pair=config, segment=segment, ts=ts).first()
    if row is None:
        raise NoRateForPair(f"no {config.code} rate ({segment}) was published at {ts}")
    return _operator_rate(row, config.pair)


def latest_mid(pair: str | CurrencyPair, when: datetime | None = None) -> MidRate:
    """RATE-1: the last stored mid row at or before ``when`` (default: now)."""
    return _latest_mid(_code(pair), when or timezone.now())[0]


def mid_at(pair: str | CurrencyPair, when: datetime) -> Decimal:
    """MKT-7, LOCK-11: the market mid in force at ``when`` (last at or before it)."""
    row, rate_decimals = _latest_mid(_code(pair), when)
    return _exact(row.mid, CurrencyPair.parse(_code(pair), rate_decimals=rate_decimals))


def _latest_mid(code: str, when: datetime) -> tuple[MidRate, int]:
    """The last mid row of ``code`` at or before ``when``, and the pair's rate
    decimals: one plain query (``RowLoader``), as the matcher asks every batch."""
    with connection.cursor() as cursor:
        # as the ORM would send it: UTC text on SQLite, whatever the caller's zone
        cursor.execute(_MID_AT, [code, connection.ops.adapt_datetimefield_value(when)])
        row = cursor.fetchone()
    if row is None:
        pair_config(code, offered_only=False)  # PairNotOffered for an unknown pair
        raise NoRateForPair(f"no mid for {code} at or before {when}")
    return _MIDS.load(row), row[_MIDS.width]


_MIDS = RowLoader(MidRate)
_MID_AT = (
    f"SELECT {_MIDS.columns('m')}, p.rate_decimals FROM rates_midrate m "  # noqa: S608
    "JOIN rates_offeredpair p ON p.id = m.pair_id WHERE p.code = %s AND m.ts <= %s "
    "ORDER BY m.ts DESC, m.id DESC LIMIT 1"
)


def _dedupe(rows) -> list[tuple[datetime, Decimal]]:
    """One point per moment: two sources at the same ts keep the later-stored."""
    by_ts: dict[datetime, Decimal] = {}
    for ts, mid in rows:
        by_ts[ts] = mid
    return list(by_ts.items())


def history(
    pair: str | CurrencyPair, since: datetime, until: datetime
) -> list[tuple[datetime, Decimal]]:
    """RATE-2: every stored mid of the pair with ``since ≤ ts ≤ until``, oldest first."""
    config = pair_config(pair, offered_only=False)
    p = config.pair
    rows = (
        MidRate.objects.filter(pair=config, ts__gte=since, ts__lte=until)
        .order_by("ts", "id")
        .values_list("ts", "mid")
    )
    return [(ts, _exact(mid, p)) for ts, mid in _dedupe(rows)]


#: RATE-2: chart resolution by span, so a page never carries more than about
#: 1500 points whatever the ticker's pace: raw up to 2 hours, then the last
#: mid of each minute (≤ 1 day), hour (≤ 31 days) or Warsaw day.
_RESOLUTIONS = (
    (timedelta(hours=2), "raw"),
    (timedelta(days=1), "minute"),
    (timedelta(days=31), "hour"),
)


def history_series(pair: str | CurrencyPair, since: datetime, until: datetime) -> HistorySeries:
    """RATE-2: the pair's mids for a chart or the JSON history, bucketed by span."""
    config = pair_config(pair, offered_only=False)
    p = config.pair
    span = until - since
    resolution = next((name for limit, name in _RESOLUTIONS if span <= limit), "day")
    rows = MidRate.objects.filter(pair=config, ts__gte=since, ts__lte=until)
    if resolution != "raw":
        last_in_bucket = (
            rows.order_by()
            .annotate(bucket=Trunc("ts", resolution, tzinfo=WARSAW))
            .values("bucket")
            .annotate(last=Max("ts"))
            .values("last")
        )
        rows = rows.filter(ts__in=last_in_bucket)
    points = _dedupe(rows.order_by("ts", "id").values_list("ts", "mid"))
    return HistorySeries(
        pair=p,
        since=since,
        until=until,
        resolution=resolution,
        points=[(ts, _exact(mid, p)) for ts, mid in points],
    )


def _pair_mid(code: str, when: datetime) -> Decimal | None:
    config = OfferedPair.objects.filter(code=code).first()
    if config is None:
        return None
    row = MidRate.objects.filter(pair=config, ts__lte=when).order_by("-ts", "-id").first()
    return None if row is None else row.mid


def pln_mid(cur: str, when: datetime | None = None) -> Decimal:
    """PLN per 1 unit of ``cur`` at ``when``, from the mids of configured pairs.

    Looks for XXX/PLN, then PLN/XXX (inverted), then a cross through one
    other currency (XXX/YYY × YYY/PLN). Unrounded: callers round.
    """
    code = currency(cur).code
    if code == "PLN":
        return Decimal(1)
    moment = when or timezone.now()
    if (direct := _pair_mid(f"{code}PLN", moment)) is not None:
        return direct
    if (inverse := _pair_mid(f"PLN{code}", moment)) is not None:
        return MONEY_CONTEXT.divide(Decimal(1), inverse)
    for config in OfferedPair.objects.filter(base=code).exclude(quote="PLN"):
        leg, via = _pair_mid(config.code, moment), _pair_mid(f"{config.quote}PLN", moment)
        if leg is not None and via is not None:
            return MONEY_CONTEXT.multiply(leg, via)
    for config in OfferedPair.objects.filter(quote=code).exclude(base="PLN"):
        leg, via = _pair_mid(config.code, moment), _pair_mid(f"{config.base}PLN", moment)
        if leg is not None and via is not None:
            return MONEY_CONTEXT.divide(via, leg)
    raise NoRateForPair(f"no mid to value {code} in PLN at {moment}")


def to_pln(money: Money, when: datetime | None = None) -> Money:
    """LOCK-12, AML-2: the PLN value of ``money`` at the mid in force at ``when``.

    A valuation for limits and reports, not a payment: rounded half-up to the
    grosz (the rule that names commercial rounding here; MON-2).
    """
    if money.currency.code == "PLN":
        return money
    rate = pln_mid(money.currency.code, when)
    return Money(round_half_up(MONEY_CONTEXT.multiply(money.amount, rate), "PLN"), "PLN")
