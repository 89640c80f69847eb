"""The arithmetic of a schedule, with no database: amounts and dates (SPEC §3.8)."""

import calendar
import datetime as dt
from decimal import ROUND_DOWN, Decimal

from dms_portal.money import KOPECK

PARTS_ALLOWED = (2, 3)


def split_amounts(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` amounts that sum to it exactly: equal whole kopecks, the kopecks left
    over on the last part (3 000,01 ₽ in 3 → 1 000,00 + 1 000,00 + 1 000,01).

    Fewer kopecks than parts cannot be spread: everything goes on the first (and only) part.
    """
    if parts < 1 or total <= 0:
        raise ValueError("nothing to split")
    # An annotated amount comes back from SQLite as Decimal('0.800000000000000'): the same
    # money, but the parts are shown and stored in kopecks.
    total = total.quantize(KOPECK)
    base = (total / parts).quantize(KOPECK, rounding=ROUND_DOWN)
    if base <= 0:
        return [total]
    return [base] * (parts - 1) + [total - base * (parts - 1)]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day (31.01 → 28.02 or 29.02).

    Counted from the first date, not chained: 31.01 + 2 months is 31.03, not 28.03."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def part_dates(first_due: dt.date, parts: int) -> list[dt.date]:
    """The first part is due at the invoice's due date, the next ones a month apart."""
    return [add_months(first_due, k) for k in range(parts)]


def schedule(*, total: Decimal, first_due: dt.date, parts: int) -> list[tuple[dt.date, Decimal]]:
    return list(zip(part_dates(first_due, parts), split_amounts(total, parts), strict=True))
