"""Line checks at import (SPEC §3.8): «Повтор услуги», «Необычное количество», «Цена выше
обычной», «Две клиники в один день». They inform the insured and the operator; a flag never
holds or changes a line.

They compare a line with other lines, so they run set-based once the registry's lines are in,
inside the import's transaction (load.import_finish calls `line_checks_apply`): a couple of
UPDATE … FROM statements over the registry's new lines and their neighbours, which touch only
the lines that get a flag. Repeat and two-clinic checks are one SQL text on PostgreSQL and
SQLite; the usual quantity and price per service code use percentile_cont on PostgreSQL and
the same interpolation in Python elsewhere (SQLite has no percentile). «Цена выше обычной»
also flags a price above the clinic's price list valid on the service date: one statement on
both databases.
"""

# SQL below is built only from constant texts; values go as parameters.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
import logging
import math
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Min

from clinics.models import ServicePrice
from dms_portal import clock

from ..models import ServiceLine

L = ServiceLine.Status
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UsualRule:
    """What "usual" means for a service code — the one place that says it.

    The usual value is the `percentile` of that code's loaded and billed lines dated within
    `window_days` before today; a line is "far above" it beyond `far` × usual. With fewer than
    `min_sample` lines of a code there is no usual value, hence no flag."""

    percentile: float = 0.95
    min_sample: int = 20
    window_days: int = 365
    far: Decimal = Decimal("1.5")

    def since(self) -> dt.date:
        return clock.moscow_today() - dt.timedelta(days=self.window_days)


USUAL = UsualRule()

# Above the clinic's price list (issue #15): the line's unit price is above the price of its
# clinic and service code valid on the service date — the one with the latest «Действует с»
# not after that date (invoices/pricelist.py loads them). A code the clinic did not list is not
# flagged by this rule. The constraint service_price_unique's index answers each probe.
_PRICE_LIST_SQL = f"""
UPDATE invoices_serviceline SET flag_price = TRUE
WHERE registry_id = %s AND NOT flag_price AND unit_price > (
    SELECT p.price FROM {ServicePrice._meta.db_table} p
    WHERE p.clinic_id = invoices_serviceline.clinic_id
      AND p.service_code = invoices_serviceline.service_code
      AND p.valid_from <= invoices_serviceline.service_date
    ORDER BY p.valid_from DESC LIMIT 1)
"""


@dataclass(frozen=True)
class Flag:
    field: str
    label: str
    explanation: str


FLAGS = (
    Flag(
        "flag_repeat",
        "Повтор услуги",
        "Эта же услуга в тот же день в той же клинике загружена ещё раз.",
    ),
    Flag(
        "flag_quantity",
        "Необычное количество",
        "Количество намного больше обычного для этой услуги.",
    ),
    Flag(
        "flag_price",
        "Цена выше обычной",
        "Цена выше прейскуранта клиники или намного выше обычной для этой услуги.",
    ),
    Flag(
        "flag_two_clinics",
        "Две клиники в один день",
        "Эта же услуга в тот же день оказана в двух разных клиниках.",
    ),
)
FLAG_FIELDS = tuple(flag.field for flag in FLAGS)


def flags_of(line) -> list[Flag]:
    """The flags a ServiceLine (or any object with the flag attributes) carries."""
    return [flag for flag in FLAGS if getattr(line, flag.field, False) is True]


def line_checks_apply(*, registry_id: int) -> None:
    """Flag the registry's new lines (and the older lines they repeat)."""
    bounds = ServiceLine.objects.filter(registry_id=registry_id).aggregate(
        first=Min("service_date"), last=Max("service_date")
    )
    if bounds["first"] is None:
        return
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # The import's own transaction just inserted the lines: without fresh statistics the
        # planner takes the table for small and joins it by nested loops (minutes for a
        # million lines). ANALYZE samples it in about a second and sees the uncommitted rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE invoices_serviceline")
    steps = [time.perf_counter()]
    _repeats_apply(registry_id, bounds["first"], bounds["last"])
    steps.append(time.perf_counter())
    if connection.vendor == "postgresql":
        _usual_apply_sql(registry_id)
    else:
        _usual_apply_python(registry_id)
    steps.append(time.perf_counter())
    if ServicePrice.objects.exists():  # without any price list there is nothing to compare
        with connection.cursor() as cursor:
            cursor.execute(_PRICE_LIST_SQL, [registry_id])
    steps.append(time.perf_counter())
    log.info(
        "registry %s: line checks in %.2fs (statistics %.2fs, repeats %.2fs, usual %.2fs, "
        "price list %.2fs)",
        registry_id,
        steps[-1] - started,
        steps[0] - started,
        steps[1] - steps[0],
        steps[2] - steps[1],
        steps[3] - steps[2],
    )


# Same person (policy), date and service code: twice at one clinic is a repeat, at two clinics
# it is «Две клиники в один день». A hash aggregate over the lines in the registry's date range
# finds the keys seen more than once, one of them in this registry; only those few groups'
# lines reach the window functions, and the UPDATE touches only the flagged lines. Dismissed
# lines are never billed and do not count.
_REPEATS_SQL = """
UPDATE invoices_serviceline SET
    flag_repeat = (flag_repeat OR f.rep),
    flag_two_clinics = (flag_two_clinics OR f.two)
FROM (
    SELECT s.id,
        count(*) OVER (PARTITION BY s.policy_no, s.service_date, s.service_code, s.clinic_id)
            > 1 AS rep,
        min(s.clinic_id) OVER w <> max(s.clinic_id) OVER w AS two
    FROM invoices_serviceline s
    JOIN (
        SELECT policy_no, service_date, service_code FROM invoices_serviceline
        WHERE service_date BETWEEN %(first)s AND %(last)s AND status <> %(dismissed)s
        GROUP BY policy_no, service_date, service_code
        HAVING count(*) > 1
           AND max(CASE WHEN registry_id = %(registry)s THEN 1 ELSE 0 END) = 1
    ) g ON g.policy_no = s.policy_no AND g.service_date = s.service_date
       AND g.service_code = s.service_code
    WHERE s.status <> %(dismissed)s AND s.service_date BETWEEN %(first)s AND %(last)s
    WINDOW w AS (PARTITION BY s.policy_no, s.service_date, s.service_code)
) f
WHERE invoices_serviceline.id = f.id AND (f.rep OR f.two)
"""


def _repeats_apply(registry_id: int, first: dt.date, last: dt.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _REPEATS_SQL,
            {
                "registry": registry_id,
                "first": first,
                "last": last,
                "dismissed": L.DISMISSED,
            },
        )


_USUAL_SQL = """
UPDATE invoices_serviceline sl SET
    flag_quantity = (sl.flag_quantity OR sl.quantity > u.qty_limit),
    flag_price = (sl.flag_price OR sl.unit_price > u.price_limit)
FROM (
    SELECT service_code,
        percentile_cont(%(p)s) WITHIN GROUP (ORDER BY quantity) * %(far)s AS qty_limit,
        (percentile_cont(%(p)s) WITHIN GROUP (ORDER BY unit_price))::numeric * %(far)s
            AS price_limit
    FROM invoices_serviceline
    WHERE service_date >= %(since)s AND status IN (%(loaded)s, %(billed)s)
      AND service_code IN (
          SELECT DISTINCT service_code FROM invoices_serviceline WHERE registry_id = %(registry)s)
    GROUP BY service_code HAVING count(*) >= %(min_sample)s
) u
WHERE sl.registry_id = %(registry)s AND sl.service_code = u.service_code
  AND (sl.quantity > u.qty_limit OR sl.unit_price > u.price_limit)
"""


def _usual_apply_sql(registry_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _USUAL_SQL,
            {
                "p": USUAL.percentile,
                "far": USUAL.far,
                "since": USUAL.since(),
                "loaded": L.LOADED,
                "billed": L.BILLED,
                "registry": registry_id,
                "min_sample": USUAL.min_sample,
            },
        )


def percentile(values: list, fraction: float) -> Decimal:
    """percentile_cont: linear interpolation between the two nearest ranks (in Decimal, so
    0.95 of 20 values lands exactly between ranks 19 and 20)."""
    ordered = [Decimal(value) for value in sorted(values)]
    position = Decimal(str(fraction)) * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _usual_apply_python(registry_id: int) -> None:
    codes = set(
        ServiceLine.objects.filter(registry_id=registry_id).values_list("service_code", flat=True)
    )
    for code in codes:
        sample = list(
            ServiceLine.objects.filter(
                service_code=code,
                service_date__gte=USUAL.since(),
                status__in=[L.LOADED, L.BILLED],
            ).values_list("quantity", "unit_price")
        )
        if len(sample) < USUAL.min_sample:
            continue
        qty_limit = percentile([q for q, _ in sample], USUAL.percentile) * USUAL.far
        price_limit = percentile([p for _, p in sample], USUAL.percentile) * USUAL.far
        mine = ServiceLine.objects.filter(registry_id=registry_id, service_code=code)
        mine.filter(quantity__gt=qty_limit).update(flag_quantity=True)
        mine.filter(unit_price__gt=price_limit).update(flag_price=True)
