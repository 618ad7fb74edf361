"""Business days, Warsaw-time deadlines and service hours (TIME-1, LOCK-6, LOCK-13).

TIME-1: every deadline in Kantor is computed in ``Europe/Warsaw``, and a
business day (``002`` §2 "Dzień Roboczy") is Monday to Friday except Polish
public holidays ("dni ustawowo wolne od pracy"). The holidays come from the
``holidays`` package (Poland), which already knows that Christmas Eve
(24 December) is a public holiday from 2025 on.

Conventions that every caller can rely on:

* Functions taking a ``datetime`` refuse naive values (``NaiveDatetime``): an
  instant without a zone is a bug waiting for the next DST change. Inputs may
  be in any zone (UTC from the database is typical).
* Deadlines are returned as aware datetimes in ``WARSAW``. A deadline is an
  inclusive instant: something that happens *at* the deadline is on time.
* Calendar arithmetic is done on Warsaw-local dates and wall-clock times, never
  by adding ``timedelta`` to an instant, so "D+7 at 18:00" is 18:00 on the
  Warsaw clock even when a DST change falls in between (then it is 7×24 ± 1
  hours after the same wall time on day D).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "END_OF_DAY",
    "WARSAW",
    "CalendarError",
    "NaiveDatetime",
    "ServiceHours",
    "ServiceWindow",
    "add_business_days",
    "business_days_between",
    "business_days_deadline",
    "calendar_days_deadline",
    "is_business_day",
    "is_public_holiday",
    "next_business_day",
    "polish_public_holidays",
    "to_warsaw",
    "warsaw_date",
    "warsaw_datetime",
]

WARSAW = ZoneInfo("Europe/Warsaw")

#: The last representable instant of a day: "by the end of day N" deadlines.
END_OF_DAY = time(23, 59, 59, 999999)


class CalendarError(ValueError):
    """Base class for calendar errors; ``code`` is a stable machine key."""

    code = "CALENDAR_ERROR"


class NaiveDatetime(CalendarError):
    """TIME-1: a datetime without a zone cannot be placed on the Warsaw clock."""

    code = "NAIVE_DATETIME"


# -- holidays and business days --------------------------------------------


@lru_cache(maxsize=64)
def polish_public_holidays(year: int) -> frozenset[date]:
    """Polish statutory holidays of ``year`` (cached per year)."""
    return frozenset(holidays.Poland(years=year).keys())


def is_public_holiday(d: date) -> bool:
    return d in polish_public_holidays(d.year)


def is_business_day(d: date) -> bool:
    """TIME-1: Monday–Friday and not a Polish public holiday."""
    return d.weekday() < 5 and not is_public_holiday(d)


def next_business_day(d: date) -> date:
    """The first business day strictly after ``d``."""
    d += timedelta(days=1)
    while not is_business_day(d):
        d += timedelta(days=1)
    return d


def add_business_days(d: date, n: int) -> date:
    """The ``n``-th business day after ``d`` ("within N business days of d").

    ``d`` itself never counts, whether or not it is a business day: a transfer
    that arrived on Saturday has its first business day on Monday. ``n = 0``
    returns ``d`` unchanged. Used by DEP-4 (refund within 14 business days of
    arrival) and TERM-3 (1 and 3 business days).
    """
    if n < 0:
        raise CalendarError(f"cannot add {n} business days; use a non-negative count")
    for _ in range(n):
        d = next_business_day(d)
    return d


def business_days_between(start: date, end: date) -> int:
    """Business days in the half-open range ``(start, end]``.

    The inverse of ``add_business_days``: ``business_days_between(d,
    add_business_days(d, n)) == n``. Negative when ``end`` is before ``start``.
    """
    if end < start:
        return -business_days_between(end, start)
    return sum(
        1 for k in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=k))
    )


# -- Warsaw wall clock -------------------------------------------------------


def to_warsaw(moment: datetime) -> datetime:
    """The same instant on the Warsaw clock; refuses naive datetimes (TIME-1)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(f"{moment!r} has no time zone; pass an aware datetime")
    return moment.astimezone(WARSAW)


def warsaw_date(moment: datetime) -> date:
    """The Warsaw-local calendar date of an instant (23:30 UTC may be tomorrow)."""
    return to_warsaw(moment).date()


def warsaw_datetime(d: date, at: time) -> datetime:
    """Wall time ``at`` on Warsaw date ``d`` as an aware datetime.

    A wall time that does not exist (02:30 on the last Sunday of March) is
    normalised forward to the real instant (03:30 CEST); an ambiguous one (02:30
    on the last Sunday of October) is the first occurrence (``fold=0``).
    """
    local = datetime.combine(d, at.replace(tzinfo=None), tzinfo=WARSAW)
    return local.astimezone(UTC).astimezone(WARSAW)


def calendar_days_deadline(start: datetime, days: int = 7, at: time = time(18, 0)) -> datetime:
    """LOCK-6: ``at`` o'clock Warsaw time on day D + ``days``, D = Warsaw date of ``start``.

    ``003`` pkt 17: "do godziny 18:00 czasu polskiego, w dniu w którym upływa
    termin 7 Dni kalendarzowych od dnia złożenia zlecenia". Calendar days
    count weekends and holidays alike.
    """
    return warsaw_datetime(warsaw_date(start) + timedelta(days=days), at)


def business_days_deadline(start: datetime, n: int, at: time = END_OF_DAY) -> datetime:
    """``at`` Warsaw time on the ``n``-th business day after the Warsaw date of ``start``.

    DEP-4 ("within 14 business days of arrival") and TERM-3 use the default,
    the end of that day.
    """
    return warsaw_datetime(add_business_days(warsaw_date(start), n), at)


# -- service hours (LOCK-13) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceWindow:
    """Open on ``weekday`` (0 = Monday) from ``opens`` to ``closes`` (exclusive).

    ``closes=None`` means until midnight; a window never spans midnight (use
    two windows).
    """

    weekday: int
    opens: time = time(0, 0)
    closes: time | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise CalendarError(f"weekday {self.weekday} is not 0..6")
        if self.closes is not None and self.closes <= self.opens:
            raise CalendarError("a service window must close after it opens")

    def contains(self, local: datetime) -> bool:
        t = local.time().replace(tzinfo=None)
        return (
            local.weekday() == self.weekday
            and self.opens <= t
            and (self.closes is None or t < self.closes)
        )


def _all_week() -> tuple[ServiceWindow, ...]:
    return tuple(ServiceWindow(day) for day in range(7))


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """LOCK-13: when orders (basic and rate-locked alike) may be placed, in Warsaw time.

    Data, not code: the operator configures it. The default is around the
    clock, every day including holidays, because the seeds set no hours for
    placing basic exchange orders (the online service takes orders at any
    time; only the payouts wait for banks' business days, and the customer
    support hours 08:00–20:00 on business days are not order hours).
    ``ServiceHours.business_days(time(8), time(20))`` restricts placing to
    business-day hours for an operator who will not carry the weekend risk of
    a locked rate.
    """

    windows: tuple[ServiceWindow, ...] = field(default_factory=_all_week)
    open_on_public_holidays: bool = True

    @classmethod
    def business_days(cls, opens: time, closes: time | None) -> ServiceHours:
        return cls(tuple(ServiceWindow(day, opens, closes) for day in range(5)), False)

    @classmethod
    def from_windows(
        cls, windows: Iterable[ServiceWindow], open_on_public_holidays: bool = True
    ) -> ServiceHours:
        return cls(tuple(windows), open_on_public_holidays)

    def is_open(self, now: datetime) -> bool:
        local = to_warsaw(now)
        if not self.open_on_public_holidays and is_public_holiday(local.date()):
            return False
        return any(window.contains(local) for window in self.windows)
