"""Test data for «Мои счета» and payments, built with the ORM directly (not the invoice run).

Also used by bench/invoices_page.py to build 500 invoices quickly (bulk inserts).
"""

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Max

from dms_portal import clock
from dms_portal.money import percent_of
from invoices.models import Clinic, Invoice, InvoiceLine, ServiceLine

_users = itertools.count(1)

LINES = (("Приём врача-терапевта первичный", "1500.00"), ("Общий анализ крови", "450.00"))


def make_user(person=None, *, phone=None, email="payer@example.com"):
    User = get_user_model()
    phone = phone or f"+7988{next(_users):07d}"
    user = User.objects.create_user(phone, "Demo-2026!", email=email)
    if person is not None:
        person.user = user
        person.save(update_fields=["user"])
    return user


def _clinic() -> Clinic:
    return Clinic.objects.get_or_create(code="7701000001", defaults={"name": "Клиника «Здоровье»"})[
        0
    ]


def _next_sequence() -> int:
    return (
        Invoice.objects.filter(period_year=2026, period_month=10).aggregate(m=Max("sequence"))["m"]
        or 0
    ) + 1


def make_invoices(
    person,
    count: int = 1,
    *,
    lines=LINES,
    status=Invoice.Status.NEW,
    deposit=Decimal("0.00"),
    formed_days_ago: int = 7,
    due_in_days: int = 20,
) -> list[Invoice]:
    """`count` invoices for `person` (payer: his sponsor or himself), each with `lines`
    (name, cost); co-pay per line = cost × contract percent, as the invoice run computes it."""
    clinic = _clinic()
    percent = person.contract.franchise_percent
    payer = person.sponsor or person
    now = clock.now()
    today = clock.moscow_today()
    start = _next_sequence()
    service_lines, invoices, plan = [], [], []
    for k in range(count):
        seq = start + k
        built = []
        for i, (name, cost) in enumerate(lines):
            cost = Decimal(cost)
            sl = ServiceLine(
                clinic=clinic,
                line_id=f"P{seq}-{i}",
                registry_no=f"R-{seq}",
                person=person,
                policy_no=person.policy_number,
                last_name=person.last_name,
                first_name=person.first_name,
                patronymic=person.patronymic,
                birth_date=person.birth_date,
                service_date=today - dt.timedelta(days=40 - i),
                service_code=f"A{i:02d}",
                service_name=name,
                quantity=1 + i,
                unit_price=cost,
                amount=cost,
                status=ServiceLine.Status.BILLED,
            )
            service_lines.append(sl)
            built.append((sl, cost, percent_of(cost, percent)))
        copay = sum((c for _, _, c in built), Decimal("0.00"))
        applied = min(deposit, copay)
        invoices.append(
            Invoice(
                number=f"2026/10/{seq}",
                period_year=2026,
                period_month=10,
                sequence=seq,
                contract=person.contract,
                person=person,
                payer=payer,
                # Older invoices first, so the newest is the last one made.
                formed_at=now - dt.timedelta(days=formed_days_ago, minutes=count - k),
                due_date=today + dt.timedelta(days=due_in_days),
                copay_total=copay,
                deposit_applied=applied,
                amount_due=copay - applied,
                status=status,
                paid_at=now if status == Invoice.Status.PAID else None,
            )
        )
        plan.append(built)
    ServiceLine.objects.bulk_create(service_lines)
    Invoice.objects.bulk_create(invoices)
    if invoices[0].pk is None:  # backends that return no ids from bulk_create
        by_number = {
            i.number: i for i in Invoice.objects.filter(number__in=[i.number for i in invoices])
        }
        invoices = [by_number[i.number] for i in invoices]
        by_line = {
            s.line_id: s
            for s in ServiceLine.objects.filter(line_id__in=[s.line_id for s in service_lines])
        }
        plan = [[(by_line[sl.line_id], c, p) for sl, c, p in built] for built in plan]
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            service_line=sl,
            service_date=sl.service_date,
            clinic_name=clinic.name,
            service_name=sl.service_name,
            quantity=sl.quantity,
            cost=cost,
            copay=copay,
        )
        for invoice, built in zip(invoices, plan, strict=True)
        for sl, cost, copay in built
    )
    return invoices


def make_invoice(person, **kwargs) -> Invoice:
    return make_invoices(person, 1, **kwargs)[0]
