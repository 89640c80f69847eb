"""«Мои расходы» (SPEC §3.8): what the services dated in one year cost the user and the
relatives he pays for — «Начислено», «Оплачено», «К оплате» — by month, clinic and person.

One function computes it (`spending_for_user`); the page, its chart and the XLSX read it.
The money comes from `invoices/money.py` (`with_money`), never computed a second way:
- «Начислено» of a line = its co-pay − what accepted corrections took off that line;
- «К оплате» of an invoice = nothing once it is ОПЛАЧЕН, else its `payable` (ИТОГО К ОПЛАТЕ);
- «Оплачено» of an invoice = «Начислено» − «К оплате»: what money or the deposit covered.
Annulled invoices charge nothing and are left out. Lines not yet invoiced are not charges
(«Предстоящие начисления» shows them).

An invoice may hold lines of several months, even of two years (late lines are billed by the
next run, SPEC §3.3), so the invoice's «К оплате» is spread over its lines in proportion to
their «Начислено», kopeck-exact (cumulative rounding: the shares add up to the invoice's
figure). Every total on the page — year, month, clinic, person — is a sum of the same
per-line figures, so they always agree to the kopeck.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from dms_portal import clock
from dms_portal.money import to_kopecks
from policies.selectors import people_for_user

from .models import Invoice, InvoiceCorrectionLine, InvoiceLine
from .money import MONEY_FIELD, ZERO
from .selectors import invoices_for_user

S = Invoice.Status
# Years the picker accepts: before this the portal holds no invoices; after next year nothing
# can be dated (a registry's service date is in the past).
FIRST_YEAR = 2000


@dataclass
class Totals:
    charged: Decimal = ZERO  # «Начислено»
    paid: Decimal = ZERO  # «Оплачено»
    owed: Decimal = ZERO  # «К оплате»

    def add(self, other: Totals) -> None:
        self.charged += other.charged
        self.paid += other.paid
        self.owed += other.owed


@dataclass
class Spending:
    year: int
    total: Totals = field(default_factory=Totals)
    # (month number 1–12, Totals) for every month of the year, empty months included.
    months: list[tuple[int, Totals]] = field(default_factory=list)
    # (clinic name, Totals), the most charged first.
    clinics: list[tuple[str, Totals]] = field(default_factory=list)
    # (InsuredPerson, Totals): the user first, then his relatives, as «Мои полисы» lists them.
    people: list[tuple[object, Totals]] = field(default_factory=list)
    services: int = 0

    @property
    def empty(self) -> bool:
        return self.services == 0


def _charged_invoices(user):
    """The invoices «Мои счета» shows (`invoices_for_user`: own and sponsored relatives'),
    minus annulled ones, which charge nothing."""
    return invoices_for_user(user).exclude(status=S.ANNULLED)


def spending_years(user) -> list[int]:
    """Years with at least one charged service, newest first."""
    lines = InvoiceLine.objects.filter(invoice__in=_charged_invoices(user).values("pk"))
    return sorted({d.year for d in lines.dates("service_date", "year")}, reverse=True)


def year_bounds() -> tuple[int, int]:
    """The range of years the picker accepts (see FIRST_YEAR)."""
    return FIRST_YEAR, clock.moscow_today().year + 1


def invoice_owed(*, status: str, payable: Decimal) -> Decimal:
    """«К оплате» of one invoice: the co-pay it still asks for.

    A paid invoice owes nothing (a paid one under dispute too: «спор» is never owed, SPEC §3.4).
    `payable` is ИТОГО К ОПЛАТЕ from `with_money`; instalments already paid reduce it there,
    so they count as «Оплачено» here without a term of their own. When the penalty
    («Неустойка») joins `_payable_terms`, subtract its unpaid part here: it is not co-pay and
    belongs to neither «Начислено» nor «К оплате» of this page.
    """
    if status == S.PAID:
        return ZERO
    return payable


def _shares(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` split in proportion to `weights`, kopeck-exact: each share is the rounded
    cumulative amount minus the previous one, so the shares add up to `total` exactly."""
    whole = sum(weights, ZERO)
    if whole <= 0:
        return [ZERO for _ in weights]
    shares, running, before = [], ZERO, ZERO
    for weight in weights:
        running += weight
        upto = to_kopecks(total * running / whole)
        shares.append(upto - before)
        before = upto
    return shares


def _line_rows(invoice_ids: list[int]):
    reduced = (
        InvoiceCorrectionLine.objects.filter(invoice_line=OuterRef("pk"))
        .order_by()
        .values("invoice_line")
        .annotate(s=Sum("copay_reduction"))
        .values("s")
    )
    return (
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .annotate(
            reduced=Coalesce(Subquery(reduced, output_field=MONEY_FIELD), Value(ZERO)),
        )
        .order_by("invoice_id", "service_date", "id")
        .values_list("invoice_id", "service_date", "clinic_name", "copay", "reduced")
    )


def spending_for_user(user, *, year: int) -> Spending:
    """The year's figures (see the module doc). Three queries whatever the number of invoices."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    dated = InvoiceLine.objects.filter(service_date__range=(start, end)).values("invoice_id")
    invoices = {
        pk: (person_id, invoice_owed(status=status, payable=payable))
        for pk, person_id, status, payable in _charged_invoices(user)
        .filter(pk__in=dated)
        .values_list("pk", "person_id", "status", "payable")
    }
    by_invoice: dict[int, list[tuple]] = {}
    for invoice_id, day, clinic, copay, reduced in _line_rows(list(invoices)):
        by_invoice.setdefault(invoice_id, []).append((day, clinic, copay - reduced))

    result = Spending(year=year)
    months = {m: Totals() for m in range(1, 13)}
    clinics: dict[str, Totals] = {}
    people: dict[int, Totals] = {}
    for invoice_id, lines in by_invoice.items():
        person_id, owed = invoices[invoice_id]
        charged = sum((net for _, _, net in lines), ZERO)
        # Corrections never take more than a line's co-pay, and deposit and corrections only
        # lower `payable`, so it cannot exceed what is charged; the guard keeps «Оплачено» ≥ 0.
        owed = min(owed, charged)
        for (day, clinic, net), owed_share in zip(
            lines, _shares(owed, [net for _, _, net in lines]), strict=True
        ):
            if not start <= day <= end:
                continue  # a line of another year on the same invoice
            line = Totals(charged=net, paid=net - owed_share, owed=owed_share)
            result.total.add(line)
            months[day.month].add(line)
            clinics.setdefault(clinic, Totals()).add(line)
            people.setdefault(person_id, Totals()).add(line)
            result.services += 1
    result.months = sorted(months.items())
    result.clinics = sorted(clinics.items(), key=lambda item: (-item[1].charged, item[0]))
    result.people = [(p, people[p.pk]) for p in people_for_user(user) if p.pk in people]
    return result
