"""Money is Decimal rounded half-up to kopecks; one helper so the rule lives in one place."""

from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")
NBSP = "\u00a0"


def to_kopecks(value: Decimal | int | str) -> Decimal:
    """Round to kopecks, half up (0.005 → 0.01), as the contract's co-pay rule says."""
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded half-up to kopecks (20 % of 0.05 → 0.01)."""
    return to_kopecks(Decimal(amount) * Decimal(percent) / Decimal(100))


def format_rub(value: Decimal) -> str:
    """1234.5 → '1 234,50 ₽' (non-breaking spaces, Russian decimal comma)."""
    q = to_kopecks(value)
    sign = "-" if q < 0 else ""
    whole, frac = f"{abs(q):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NBSP.join(groups)},{frac}{NBSP}₽"
