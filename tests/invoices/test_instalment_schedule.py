"""«Оплатить частями»: the arithmetic of a schedule (SPEC §3.8), no database."""

import datetime as dt
from decimal import Decimal

import pytest

from invoices.instalments.schedule import add_months, part_dates, schedule, split_amounts

D = Decimal


@pytest.mark.parametrize(
    ("total", "parts", "expected"),
    [
        ("3000.01", 3, ["1000.00", "1000.00", "1000.01"]),
        ("10000.00", 3, ["3333.33", "3333.33", "3333.34"]),
        ("3000.00", 3, ["1000.00", "1000.00", "1000.00"]),
        ("3000.01", 2, ["1500.00", "1500.01"]),
        ("3041.62", 2, ["1520.81", "1520.81"]),
        ("0.02", 3, ["0.02"]),  # fewer kopecks than parts: one part
    ],
)
def test_parts_sum_exactly_with_the_kopecks_on_the_last(total, parts, expected):
    amounts = split_amounts(D(total), parts)
    assert amounts == [D(x) for x in expected]
    assert sum(amounts) == D(total)


def test_every_amount_splits_kopeck_exact_and_no_part_exceeds_the_last():
    for kopecks in range(300_000, 300_400):
        total = D(kopecks) / 100
        for parts in (2, 3):
            amounts = split_amounts(total, parts)
            assert sum(amounts) == total and len(amounts) == parts
            assert all(a.as_tuple().exponent == -2 for a in amounts)
            assert amounts[0] == amounts[-2] <= amounts[-1] < amounts[0] + D("0.01") * parts


@pytest.mark.parametrize("bad", [D("0"), D("-1.00")])
def test_nothing_to_split_is_refused(bad):
    with pytest.raises(ValueError):
        split_amounts(bad, 3)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2027, 1, 31), 2, dt.date(2027, 3, 31)),  # counted from the first date
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),  # over the new year
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
    ],
)
def test_months_apart_clamp_to_the_last_day_of_a_short_month(start, months, expected):
    assert add_months(start, months) == expected


def test_the_first_part_is_due_at_the_invoices_due_date_and_the_next_a_month_apart():
    assert part_dates(dt.date(2027, 1, 31), 3) == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
    ]
    assert schedule(total=D("3000.01"), first_due=dt.date(2027, 1, 31), parts=2) == [
        (dt.date(2027, 1, 31), D("1500.00")),
        (dt.date(2027, 2, 28), D("1500.01")),
    ]


def test_an_amount_with_more_digits_than_kopecks_is_split_in_kopecks():
    """SQLite returns an annotated 0,80 ₽ as Decimal('0.800000000000000')."""
    assert split_amounts(Decimal("0.800000000000000"), 3) == [
        Decimal("0.26"),
        Decimal("0.26"),
        Decimal("0.28"),
    ]
    assert [str(a) for a in split_amounts(Decimal("0.800000000000000"), 2)] == ["0.40", "0.40"]
