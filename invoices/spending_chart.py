"""The bar chart of «Мои расходы»: co-pay per month as a server-rendered SVG (SPEC §3.8).

Geometry only; the template draws it. No script is needed to read it: the SVG is an image with
a title and a description (role="img") and the page puts the same numbers in a table beside
it. Each bar is «Оплачено» (solid) under «К оплате» (hatched): together they are «Начислено».
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dms_portal.money import format_rub
from dms_portal.russian import MONTHS

from .spending import Spending, Totals

WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 34, 30  # room for the scale label above, months below
SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


@dataclass(frozen=True)
class Bar:
    month: str  # «октябрь»
    short: str  # «окт», under the bar
    label: str  # «октябрь: начислено 2,80 ₽, оплачено 1,50 ₽, к оплате 1,30 ₽»
    x: float
    width: float
    paid_y: float
    paid_height: float
    owed_y: float
    owed_height: float
    text_x: float
    totals: Totals


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    top: float
    scale_label: str
    bars: list[Bar]
    description: str


def _height(value: Decimal, peak: Decimal, room: float) -> float:
    return round(float(value / peak) * room, 2) if peak > 0 else 0.0


def spending_chart(spending: Spending) -> Chart:
    """Twelve bars, one per month; the tallest reaches the top line, labelled with its sum."""
    peak = max((t.charged for _, t in spending.months), default=Decimal("0"))
    room = HEIGHT - TOP - BOTTOM
    baseline = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / 12
    bars = []
    for month, totals in spending.months:
        paid_h = _height(totals.paid, peak, room)
        owed_h = _height(totals.charged, peak, room) - paid_h
        x = LEFT + (month - 1) * slot
        name = MONTHS[month - 1]
        bars.append(
            Bar(
                month=name,
                short=SHORT[month - 1],
                label=(
                    f"{name}: начислено {format_rub(totals.charged)}, оплачено "
                    f"{format_rub(totals.paid)}, к оплате {format_rub(totals.owed)}"
                ),
                x=round(x + slot * 0.15, 2),
                width=round(slot * 0.7, 2),
                paid_y=round(baseline - paid_h, 2),
                paid_height=paid_h,
                owed_y=round(baseline - paid_h - owed_h, 2),
                owed_height=round(owed_h, 2),
                text_x=round(x + slot / 2, 2),
                totals=totals,
            )
        )
    with_money = [bar.label for bar in bars if bar.totals.charged]
    description = (
        f"Сооплата по месяцам {spending.year} года. "
        + ("; ".join(with_money) if with_money else "Начислений нет")
        + "."
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        baseline=baseline,
        top=TOP,
        scale_label=format_rub(peak),
        bars=bars,
        description=description,
    )
