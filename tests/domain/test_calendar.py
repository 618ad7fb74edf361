from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kantor.domain.calendar import (
    WARSAW,
    CalendarError,
    NaiveDatetime,
    ServiceHours,
    ServiceWindow,
    add_business_days,
    business_days_between,
    business_days_deadline,
    calendar_days_deadline,
    is_business_day,
    is_public_holiday,
    next_business_day,
    to_warsaw,
    warsaw_date,
    warsaw_datetime,
)

HOURS = timedelta(hours=1)


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


# -- business days -------------------------------------------------------------


@pytest.mark.parametrize(
    "holiday",
    [
        date(2026, 1, 1),  # New Year
        date(2026, 1, 6),  # Epiphany
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),  # Labour Day
        date(2026, 6, 4),  # Corpus Christi
        date(2026, 11, 11),  # Independence Day
        date(2026, 12, 25),  # Christmas
        date(2026, 12, 26),  # Second day of Christmas (a Saturday)
    ],
)
def test_polish_public_holidays_are_not_business_days_TIME_1(holiday):
    assert is_public_holiday(holiday)
    assert not is_business_day(holiday)


def test_christmas_eve_is_a_holiday_from_2025_TIME_1():
    """Wigilia became a statutory day off in 2025; the holidays package knows it."""
    assert not is_business_day(date(2025, 12, 24))
    assert not is_business_day(date(2026, 12, 24))
    assert is_business_day(date(2024, 12, 24))  # a Tuesday, still a working day then


def test_weekends_are_not_business_days_TIME_1():
    assert [is_business_day(date(2026, 3, d)) for d in range(2, 9)] == [True] * 5 + [False] * 2


def test_next_business_day_skips_easter_weekend_TIME_1():
    assert next_business_day(date(2026, 4, 2)) == date(2026, 4, 3)  # Thu → Good Friday works
    assert next_business_day(date(2026, 4, 3)) == date(2026, 4, 7)  # Fri → Tue after Easter Mon


def test_refund_deadline_counts_14_business_days_over_christmas_and_new_year_DEP_4():
    # 24–25 Dec, 1 Jan and 6 Jan 2027 are holidays; weekends skipped too.
    assert add_business_days(date(2026, 12, 18), 14) == date(2027, 1, 13)


def test_termination_days_start_after_a_holiday_weekend_TERM_3():
    notice = date(2026, 5, 1)  # Friday, Labour Day; 3 May (Sunday) is a holiday as well
    assert add_business_days(notice, 1) == date(2026, 5, 4)
    assert add_business_days(notice, 3) == date(2026, 5, 6)


def test_zero_business_days_is_the_same_day_and_negative_is_refused_TIME_1():
    assert add_business_days(date(2026, 12, 25), 0) == date(2026, 12, 25)
    with pytest.raises(CalendarError):
        add_business_days(date(2026, 1, 1), -1)


def test_business_days_between_counts_the_half_open_range_TIME_1():
    assert business_days_between(date(2026, 12, 23), date(2026, 12, 28)) == 1
    assert business_days_between(date(2026, 12, 28), date(2026, 12, 23)) == -1
    assert business_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=0, max_value=40),
)
def test_business_days_between_inverts_add_business_days_TIME_1(start, n):
    end = add_business_days(start, n)
    assert business_days_between(start, end) == n
    assert n == 0 or is_business_day(end)


# -- Warsaw clock and deadlines ------------------------------------------------


def test_naive_datetimes_are_refused_with_a_code_TIME_1():
    with pytest.raises(NaiveDatetime) as err:
        to_warsaw(datetime(2026, 3, 2, 12, 0))
    assert err.value.code == "NAIVE_DATETIME"
    with pytest.raises(NaiveDatetime):
        calendar_days_deadline(datetime(2026, 3, 2, 12, 0))


def test_warsaw_date_of_a_late_utc_instant_is_the_next_day_TIME_1():
    assert warsaw_date(datetime(2026, 1, 14, 23, 30, tzinfo=UTC)) == date(2026, 1, 15)
    assert warsaw_date(datetime(2026, 7, 14, 22, 0, tzinfo=UTC)) == date(2026, 7, 15)


def test_d_plus_7_deadline_is_18_00_warsaw_time_LOCK_6():
    deadline = calendar_days_deadline(warsaw(2026, 3, 2, 9, 15))
    assert deadline == warsaw(2026, 3, 9, 18, 0)
    assert deadline.tzinfo is WARSAW


def test_deadline_counts_from_the_warsaw_date_of_a_utc_start_LOCK_6():
    # 23:30 UTC on 14 January is 00:30 on 15 January in Warsaw: D is the 15th.
    deadline = calendar_days_deadline(datetime(2026, 1, 14, 23, 30, tzinfo=UTC))
    assert deadline == warsaw(2026, 1, 22, 18, 0)


def test_deadline_across_spring_dst_change_is_18_00_local_on_both_sides_LOCK_6():
    # Clocks go forward on Sunday 29 March 2026: the week has 7×24 − 1 hours.
    start = warsaw(2026, 3, 25, 18, 0)
    deadline = calendar_days_deadline(start)
    assert deadline.astimezone(WARSAW).time() == time(18, 0)
    assert deadline.utcoffset() == timedelta(hours=2)
    assert deadline.astimezone(UTC) == datetime(2026, 4, 1, 16, 0, tzinfo=UTC)
    assert deadline.astimezone(UTC) - start.astimezone(UTC) == 7 * 24 * HOURS - HOURS


def test_deadline_across_autumn_dst_change_is_18_00_local_on_both_sides_LOCK_6():
    # Clocks go back on Sunday 25 October 2026: the week has 7×24 + 1 hours.
    start = warsaw(2026, 10, 20, 18, 0)
    deadline = calendar_days_deadline(start)
    assert deadline.astimezone(UTC) == datetime(2026, 10, 27, 17, 0, tzinfo=UTC)
    assert deadline.astimezone(UTC) - start.astimezone(UTC) == 7 * 24 * HOURS + HOURS


def test_deadline_across_new_year_LOCK_6():
    assert calendar_days_deadline(warsaw(2026, 12, 28, 12, 0)) == warsaw(2027, 1, 4, 18, 0)


def test_calendar_day_deadline_may_fall_on_a_holiday_LOCK_6():
    """Seven *calendar* days: the seed does not move the deadline off holidays."""
    assert calendar_days_deadline(warsaw(2026, 11, 4, 10, 0)) == warsaw(2026, 11, 11, 18, 0)


def test_business_days_deadline_starts_from_the_warsaw_date_DEP_4():
    # 23:30 UTC on 23 Dec is already Wigilia in Warsaw; next business day is 28 Dec.
    arrived = datetime(2026, 12, 23, 23, 30, tzinfo=UTC)
    deadline = business_days_deadline(arrived, 1)
    assert deadline.date() == date(2026, 12, 28)
    assert deadline.time() == time(23, 59, 59, 999999)
    assert business_days_deadline(arrived, 1, at=time(18, 0)) == warsaw(2026, 12, 28, 18, 0)


def test_nonexistent_wall_time_is_normalised_forward_TIME_1():
    moment = warsaw_datetime(date(2026, 3, 29), time(2, 30))
    assert moment.time() == time(3, 30)
    assert moment.utcoffset() == timedelta(hours=2)


@settings(max_examples=80, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    )
)
def test_deadline_is_always_d_plus_7_at_18_00_on_the_warsaw_clock_LOCK_6(start):
    deadline = calendar_days_deadline(start)
    assert deadline.date() == warsaw_date(start) + timedelta(days=7)
    assert deadline.time() == time(18, 0)
    elapsed = deadline.astimezone(UTC) - start
    assert 6 * 24 * HOURS + 17 * HOURS <= elapsed <= 7 * 24 * HOURS + 19 * HOURS


# -- service hours -------------------------------------------------------------


def test_default_service_hours_are_around_the_clock_including_holidays_LOCK_13():
    hours = ServiceHours()
    assert hours.is_open(warsaw(2026, 12, 25, 3, 0))
    assert hours.is_open(warsaw(2026, 3, 8, 23, 59, 59))  # Sunday night


def test_business_hours_close_on_weekends_holidays_and_at_closing_time_LOCK_13():
    hours = ServiceHours.business_days(time(8, 0), time(20, 0))
    assert hours.is_open(warsaw(2026, 3, 2, 8, 0))
    assert not hours.is_open(warsaw(2026, 3, 2, 7, 59, 59))
    assert not hours.is_open(warsaw(2026, 3, 2, 20, 0))
    assert not hours.is_open(warsaw(2026, 3, 7, 12, 0))  # Saturday
    assert not hours.is_open(warsaw(2026, 11, 11, 12, 0))  # Independence Day
    # 07:30 UTC in January is 08:30 in Warsaw.
    assert hours.is_open(datetime(2026, 1, 5, 7, 30, tzinfo=UTC))


def test_service_windows_are_validated_LOCK_13():
    with pytest.raises(CalendarError):
        ServiceWindow(7)
    with pytest.raises(CalendarError):
        ServiceWindow(0, time(20, 0), time(8, 0))
    with pytest.raises(NaiveDatetime):
        ServiceHours().is_open(datetime(2026, 1, 5, 12, 0))
