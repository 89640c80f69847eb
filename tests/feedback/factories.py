"""Test data for feedback: accounts, invoices with lines, files. Built with the ORM directly."""

import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model

from dms_portal import clock
from dms_portal.money import percent_of
from invoices.models import Clinic, Invoice, InvoiceLine, ServiceLine

_seq = itertools.count(1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def make_user(person=None, *, phone=None, email="", staff=False, superuser=False):
    User = get_user_model()
    n = next(_seq)
    phone = phone or f"+7999{n:07d}"
    if superuser:
        user = User.objects.create_superuser(phone, "Expert-2026!", email=email)
    else:
        user = User.objects.create_user(phone, "Demo-2026!", email=email, is_staff=staff)
    if person is not None:
        person.user = user
        person.save(update_fields=["user"])
    return user


def make_invoice(
    person,
    *,
    lines=(("Приём терапевта", "1000.00"),),
    status=Invoice.Status.NEW,
    due_in_days=20,
    deposit=Decimal("0.00"),
    formed_days_ago=7,
):
    """An invoice as the invoice run forms it: co-pay = cost × contract percent per line."""
    n = next(_seq)
    clinic, _ = Clinic.objects.get_or_create(
        code="7701000001", defaults={"name": "Клиника «Здоровье»"}
    )
    today = clock.moscow_today()
    formed_at = clock.now() - dt.timedelta(days=formed_days_ago)
    payer = person.sponsor or person
    percent = person.contract.franchise_percent
    built = []
    for i, (name, cost) in enumerate(lines):
        cost = Decimal(cost)
        service_date = today - dt.timedelta(days=45 - i)
        sl = ServiceLine.objects.create(
            clinic=clinic,
            line_id=f"T{n}-{i}",
            registry_no=f"R-{n}",
            person=person,
            policy_no=person.policy_number,
            last_name=person.last_name,
            first_name=person.first_name,
            patronymic=person.patronymic,
            birth_date=person.birth_date,
            service_date=service_date,
            service_code=f"S{i}",
            service_name=name,
            quantity=1,
            unit_price=cost,
            amount=cost,
            status=ServiceLine.Status.BILLED,
        )
        built.append((sl, cost, percent_of(cost, percent)))
    copay = sum((c for _, _, c in built), Decimal("0.00"))
    amount_due = max(copay - deposit, Decimal("0.00"))
    invoice = Invoice.objects.create(
        number=f"2026/10/{n}",
        period_year=2026,
        period_month=10,
        sequence=n,
        contract=person.contract,
        person=person,
        payer=payer,
        formed_at=formed_at,
        due_date=today + dt.timedelta(days=due_in_days),
        copay_total=copay,
        deposit_applied=deposit,
        amount_due=amount_due,
        status=status,
        paid_at=clock.now() if status == Invoice.Status.PAID else None,
    )
    for sl, cost, share in built:
        InvoiceLine.objects.create(
            invoice=invoice,
            service_line=sl,
            service_date=sl.service_date,
            clinic_name=clinic.name,
            service_name=sl.service_name,
            quantity=1,
            cost=cost,
            copay=share,
        )
    return invoice
