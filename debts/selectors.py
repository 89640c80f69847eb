"""Reads of the debt path: the call list, downgrade notices, employer report rows."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from dms_portal import clock
from invoices.models import Invoice
from policies.models import Employer, InsuredPerson

from .models import CallLog, ProgrammeDowngrade

S = Invoice.Status
MONEY = DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0.00")


def downgrade_for(person: InsuredPerson) -> ProgrammeDowngrade | None:
    """The person's open downgrade (emergency care until the debt is paid), for «Мои полисы».
    None when his programme is the normal one."""
    return (
        ProgrammeDowngrade.objects.filter(person=person, restored_at__isnull=True)
        .select_related("from_program", "to_program", "person__contract")
        .first()
    )


# How long «Мои полисы» keeps saying «Оплата получена, программа восстановлена».
RESTORED_NOTICE_DAYS = 7


def restored_notice_context(person: InsuredPerson) -> dict | None:
    """The person's programme came back in the last RESTORED_NOTICE_DAYS (a payment restored
    it, or an operator did): «Мои полисы» says so instead of going silent. None otherwise."""
    since = clock.now() - dt.timedelta(days=RESTORED_NOTICE_DAYS)
    downgrade = (
        ProgrammeDowngrade.objects.filter(
            person=person, status=ProgrammeDowngrade.Status.RESTORED, restored_at__gte=since
        )
        .select_related("from_program")
        .order_by("-restored_at")
        .first()
    )
    return {"downgrade": downgrade, "restored": True} if downgrade else None


def downgrade_notice_context(person: InsuredPerson) -> dict | None:
    """Everything `debts/_policy_downgrade_notice.html` shows, or None for no notice."""
    downgrade = downgrade_for(person)
    if downgrade is None:
        return None
    overdue = list(
        Invoice.objects.filter(person=person, status=S.OVERDUE).with_money().order_by("due_date")
    )
    return {
        "downgrade": downgrade,
        "overdue_invoices": overdue,
        "overdue_total": sum((i.payable_amount() for i in overdue), ZERO),
        "desk_phone": downgrade.person.contract.medical_desk_phone,
    }


def _overdue_of_payer():
    return Invoice.objects.filter(payer=OuterRef("pk"), status=S.OVERDUE)


def _overdue_debt_of_payer() -> Coalesce:
    """What the payer's overdue invoices still owe (the sum of their `payable`, as
    `Invoice.objects.with_money` defines it), as a subquery: the call list stays one query
    however many invoices a payer has."""
    owed = (
        _overdue_of_payer()
        .with_money()
        .order_by()
        .values("payer")
        .annotate(total=Sum("payable"))
        .values("total")
    )
    return Coalesce(Subquery(owed, output_field=MONEY), Value(ZERO), output_field=MONEY)


def call_list(queryset: QuerySet[InsuredPerson] | None = None) -> QuerySet[InsuredPerson]:
    """Payers with at least one ПРОСРОЧЕН invoice, annotated with `debt` (what is left to pay
    on overdue invoices), `overdue_count`, `oldest_due` and `last_contact` (latest CallLog)."""
    queryset = queryset if queryset is not None else InsuredPerson.objects.all()
    last_call = CallLog.objects.filter(person=OuterRef("pk")).order_by("-at").values("at")[:1]
    oldest = _overdue_of_payer().order_by("due_date").values("due_date")[:1]
    count = _overdue_of_payer().values("payer").annotate(n=Count("pk")).values("n")
    return (
        queryset.filter(Exists(_overdue_of_payer()))
        .annotate(
            debt=_overdue_debt_of_payer(),
            oldest_due=Subquery(oldest),
            overdue_count=Subquery(count),
            last_contact=Subquery(last_call),
        )
        .select_related("user", "contract__employer")
    )


def days_overdue(due_date: dt.date | None, today: dt.date | None = None) -> int:
    if due_date is None:
        return 0
    today = today or clock.moscow_today()
    return max((today - due_date).days, 0)


@dataclass
class ReportRow:
    person: InsuredPerson
    invoice: Invoice
    amount: Decimal
    days_overdue: int


@dataclass
class EmployerDebts:
    employer: Employer
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), ZERO)

    @property
    def people(self) -> int:
        return len({r.person.pk for r in self.rows})


def employer_old_debts(*, employer: Employer, today: dt.date, months: int = 2) -> EmployerDebts:
    """Invoices of the employer's insured (employees and their relatives) overdue for more than
    `months` months on `today`: due date before the same day `months` months ago."""
    cutoff = _months_before(today, months)
    invoices = (
        Invoice.objects.filter(contract__employer=employer, status=S.OVERDUE, due_date__lt=cutoff)
        .with_money()
        .select_related("person", "person__sponsor")
        .order_by("person__last_name", "person__first_name", "person_id", "due_date", "pk")
    )
    debts = EmployerDebts(employer=employer)
    for invoice in invoices:
        amount = invoice.payable_amount()
        if amount <= ZERO:
            continue
        debts.rows.append(
            ReportRow(
                person=invoice.person,
                invoice=invoice,
                amount=amount,
                days_overdue=days_overdue(invoice.due_date, today),
            )
        )
    return debts


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # 31 March minus one month is the last day of February.
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
