import datetime as dt

import pytest

from dms_portal.clock import MOSCOW
from franchise.calendar import (
    ProductionCalendar,
    add_business_days,
    is_working_day,
    next_working_day_after,
)
from franchise.models import CalendarOverride

pytestmark = pytest.mark.django_db

D = dt.date


def msk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    "day",
    [
        *(D(2026, 1, n) for n in range(1, 9)),  # New Year holidays and Christmas
        D(2026, 1, 9),  # Friday off, transferred from Saturday 03.01 by decree
        D(2026, 2, 23),  # Defender of the Fatherland Day (Monday)
        D(2026, 3, 9),  # 8 March falls on Sunday: Monday is off
        D(2026, 5, 1),  # Spring and Labour Day
        D(2026, 5, 11),  # Victory Day falls on Saturday: Monday is off
        D(2026, 6, 12),  # Russia Day
        D(2026, 11, 4),  # Unity Day
        D(2026, 12, 31),  # transferred from Sunday 04.01 by decree
        D(2025, 3, 8),  # 8 March on Saturday
        D(2025, 5, 2),  # May holidays 2025: transfers
        D(2025, 5, 8),
        D(2025, 11, 3),  # the Monday off that the working Saturday 01.11.2025 paid for
    ],
)
def test_public_holidays_and_transferred_days_off_are_not_working(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 12),  # first working day of 2026
        D(2026, 2, 24),
        D(2026, 3, 10),
        D(2026, 5, 12),
        D(2026, 6, 11),
        D(2026, 11, 5),
        D(2025, 11, 7),
    ],
)
def test_ordinary_weekdays_are_working(day):
    assert is_working_day(day)


def test_a_saturday_made_working_by_decree_is_a_working_day():
    saturday = D(2025, 11, 1)
    assert saturday.weekday() == 5
    assert is_working_day(saturday)
    # …while an ordinary Saturday is not.
    assert not is_working_day(D(2025, 11, 8))


def test_request_on_a_working_saturday_takes_effect_on_monday():
    # 01.11.2025 is working, 02.11 Sunday, 03.11 and 04.11 days off → Wednesday 05.11.
    assert next_working_day_after(msk(2025, 10, 31, 15, 0)) == D(2025, 11, 1)
    assert next_working_day_after(msk(2025, 11, 1, 15, 0)) == D(2025, 11, 5)


def test_moscow_date_decides_at_midnight_2359_vs_0001():
    # Thursday 23:59 in Moscow → Friday; two minutes later it is Friday in Moscow → Monday,
    # although both moments fall on the same UTC date (Thursday).
    before = msk(2026, 3, 12, 23, 59)
    after = msk(2026, 3, 13, 0, 1)
    assert before.astimezone(dt.UTC).date() == after.astimezone(dt.UTC).date()
    assert next_working_day_after(before) == D(2026, 3, 13)
    assert next_working_day_after(after) == D(2026, 3, 16)


def test_friday_2359_and_saturday_0001_both_lead_to_monday():
    assert next_working_day_after(msk(2026, 3, 13, 23, 59)) == D(2026, 3, 16)
    assert next_working_day_after(msk(2026, 3, 14, 0, 1)) == D(2026, 3, 16)


def test_before_holidays_the_next_working_day_skips_them():
    assert next_working_day_after(msk(2025, 12, 30, 18, 0)) == D(2026, 1, 12)
    assert next_working_day_after(msk(2026, 2, 20, 12, 0)) == D(2026, 2, 24)
    assert next_working_day_after(msk(2026, 3, 6, 12, 0)) == D(2026, 3, 10)
    assert next_working_day_after(msk(2026, 4, 30, 12, 0)) == D(2026, 5, 4)
    assert next_working_day_after(msk(2026, 5, 8, 12, 0)) == D(2026, 5, 12)
    assert next_working_day_after(msk(2026, 6, 11, 12, 0)) == D(2026, 6, 15)
    assert next_working_day_after(msk(2026, 11, 3, 12, 0)) == D(2026, 11, 5)


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="aware"):
        next_working_day_after(dt.datetime(2026, 3, 12, 12, 0))


def test_an_override_makes_a_working_day_a_day_off():
    CalendarOverride.objects.create(date=D(2026, 3, 13), is_working=False, note="указ")
    assert not is_working_day(D(2026, 3, 13))
    assert next_working_day_after(msk(2026, 3, 12, 12, 0)) == D(2026, 3, 16)


def test_an_override_makes_a_holiday_a_working_day():
    CalendarOverride.objects.create(date=D(2026, 1, 9), is_working=True, note="поправка")
    assert is_working_day(D(2026, 1, 9))
    assert next_working_day_after(msk(2026, 1, 5, 12, 0)) == D(2026, 1, 9)


def test_an_override_edit_takes_effect_at_once():
    day = D(2026, 3, 13)
    assert is_working_day(day)
    override = CalendarOverride.objects.create(date=day, is_working=False)
    assert not is_working_day(day)
    override.is_working = True
    override.save()
    assert is_working_day(day)
    override.delete()
    assert is_working_day(day)


def test_add_business_days_across_the_new_year_holidays():
    # Working days after 29.12.2025: 30.12, then 12.01, 13.01, …
    assert add_business_days(D(2025, 12, 29), 1) == D(2025, 12, 30)
    assert add_business_days(D(2025, 12, 29), 2) == D(2026, 1, 12)
    assert add_business_days(D(2025, 12, 29), 6) == D(2026, 1, 16)


def test_add_business_days_across_may_holidays_and_thirty_days():
    assert add_business_days(D(2026, 4, 30), 1) == D(2026, 5, 4)
    assert add_business_days(D(2026, 5, 8), 1) == D(2026, 5, 12)
    # The contract's 30 business days from 01.06.2026: June has 12.06 off.
    assert add_business_days(D(2026, 6, 1), 30) == D(2026, 7, 14)
    assert add_business_days(D(2026, 6, 1), 0) == D(2026, 6, 1)


def test_add_business_days_counts_overrides():
    CalendarOverride.objects.create(date=D(2026, 6, 2), is_working=False)
    assert add_business_days(D(2026, 6, 1), 1) == D(2026, 6, 3)
    CalendarOverride.objects.create(date=D(2026, 6, 6), is_working=True)  # a Saturday
    assert add_business_days(D(2026, 6, 4), 2) == D(2026, 6, 6)


def test_add_business_days_refuses_negative_counts():
    with pytest.raises(ValueError):
        add_business_days(D(2026, 6, 1), -1)


def test_a_snapshot_agrees_with_the_module_functions(django_assert_num_queries):
    CalendarOverride.objects.create(date=D(2026, 6, 2), is_working=False)
    calendar = ProductionCalendar.load(D(2026, 1, 1), D(2026, 12, 31))
    with django_assert_num_queries(0):
        results = [calendar.add_business_days(D(2026, 6, 1), n) for n in range(40)]
    assert results == [add_business_days(D(2026, 6, 1), n) for n in range(40)]


def test_a_table_of_days_off_without_end_is_reported():
    CalendarOverride.objects.bulk_create(
        CalendarOverride(date=D(2026, 7, 1) + dt.timedelta(days=n), is_working=False)
        for n in range(70)
    )
    with pytest.raises(ValueError, match="no working day"):
        add_business_days(D(2026, 6, 30), 1)
