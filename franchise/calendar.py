"""The Russian production calendar (производственный календарь) for business-day arithmetic.

Two sources, the second always winning:
1. the `holidays` package's Russian calendar: weekends, public holidays and the decree
   transfers (a Saturday made working, a weekday made a day off);
2. `CalendarOverride` rows that operators edit in admin, so a new decree or a correction
   needs no release.

The package part is pure data and is cached per year for the life of the process. Overrides are
read from the database on every public call (one indexed query over the date range involved),
so an edit in admin takes effect at once in every process. Batch callers that do thousands of
calculations (an invoice run) take a `ProductionCalendar.load(...)` snapshot once instead.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from dms_portal import clock

ONE_DAY = dt.timedelta(days=1)
# How far ahead a search for the next working day may look before giving up. Even the New
# Year break plus a misconfigured override table cannot hide working days for 60 days; a longer
# run means the override table is broken, and an error is better than a silent far-off date.
_MAX_SEARCH_DAYS = 60


@lru_cache(maxsize=64)
def _package_days_off(year: int) -> frozenset[dt.date]:
    """Every non-working date of `year` per the package (weekends included, transfers applied)."""
    calendar = holidays.country_holidays("RU", years=year)
    day = dt.date(year, 1, 1)
    off = set()
    while day.year == year:
        if not calendar.is_working_day(day):
            off.add(day)
        day += ONE_DAY
    return frozenset(off)


def _overrides_between(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    from .models import CalendarOverride

    return dict(
        CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "is_working")
    )


class ProductionCalendar:
    """A snapshot of the calendar with the overrides of a date range loaded once.

    Dates outside the loaded range fall back to a database read, so a snapshot is never wrong,
    only slower there.
    """

    def __init__(self, overrides: dict[dt.date, bool], start: dt.date, end: dt.date):
        self._overrides = overrides
        self._start = start
        self._end = end

    @classmethod
    def load(cls, start: dt.date, end: dt.date) -> ProductionCalendar:
        return cls(_overrides_between(start, end), start, end)

    def _override(self, day: dt.date) -> bool | None:
        if self._start <= day <= self._end:
            return self._overrides.get(day)
        return _overrides_between(day, day).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        override = self._override(day)
        if override is not None:
            return override
        return day not in _package_days_off(day.year)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        candidate = day + ONE_DAY
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += ONE_DAY
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days after {day:%d.%m.%Y}")

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """The date that is `days` working days after `start` (`start` itself is not counted,
        whether or not it is a working day); `days=0` returns `start`."""
        if days < 0:
            raise ValueError("days must be >= 0")
        current = start
        for _ in range(days):
            current = self.next_working_day(current)
        return current


def _calendar_for(start: dt.date, days_ahead: int) -> ProductionCalendar:
    # Working days are at least ~40 % of any window, so 3× the count plus the longest break is a
    # safe range to preload; anything beyond still reads correctly (see ProductionCalendar).
    return ProductionCalendar.load(start, start + dt.timedelta(days=days_ahead * 3 + 20))


def is_working_day(day: dt.date) -> bool:
    """Whether `day` is a working day of the Russian production calendar (overrides win)."""
    return ProductionCalendar.load(day, day).is_working_day(day)


def next_working_day_after(moment: dt.datetime | None = None) -> dt.date:
    """The first working day after the Moscow date of `moment` (default: now).

    A request at 23:59 on Thursday in Moscow gets Friday; one at 00:01 on Friday gets the
    following Monday (or the next working day after it) — the Moscow date is what counts,
    whatever the server's or the browser's time zone.
    """
    moment = moment or clock.now()
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    day = clock.to_moscow_date(moment)
    return _calendar_for(day, 1).next_working_day(day)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The date that is `days` working days after `start` (see ProductionCalendar)."""
    return _calendar_for(start, days).add_business_days(start, days)
