"""The one time seam: every business rule asks here for "now" and for Moscow dates.

Tests move time with time-machine; production code never branches on being tested.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

MOSCOW = ZoneInfo("Europe/Moscow")


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC)."""
    return timezone.now()


def moscow_now() -> dt.datetime:
    return now().astimezone(MOSCOW)


def moscow_today() -> dt.date:
    return moscow_now().date()


def to_moscow_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(MOSCOW).date()
