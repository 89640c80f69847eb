"""Small shared pieces of the debt path: what is owed and what blocks a restore, the batch
size, and what every debt notification may show.

What an invoice still owes is `Invoice.objects.with_money()` (invoices.models, the one
definition); who is written to is `policies.services.payer` (the one rule).
"""

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Q

from invoices.models import Invoice

S = Invoice.Status
BATCH = 500


def chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def invoice_context(invoice: Invoice, **extra) -> dict:
    """What every debt notification template may use."""
    return {
        "invoice": invoice,
        "number": invoice.number,
        "person_name": invoice.person.short_name,
        # A split invoice asks now for its next part (SPEC §3.8; `with_next_part`).
        "amount": _next_part(invoice, "amount") or invoice.payable_amount(),
        "part_number": _next_part(invoice, "number"),
        "parts_count": invoice.__dict__.get("parts_count"),
        "due_date": invoice.due_date,
        "site_url": settings.SITE_URL,
        "insurer": settings.INSURER,
        **extra,
    }


def _next_part(invoice: Invoice, field: str):
    return invoice.__dict__.get(f"next_part_{field}")


def unpaid_invoices():
    """Invoices whose due clock runs (НОВЫЙ / ПРОСРОЧЕН), with the money and the next
    instalment annotated (`owes` costs no query) and the payer's contacts joined. A split
    invoice's due date is its next part's (`invoice_part_mark_paid`), so reminders and the
    overdue job follow the parts."""
    return (
        Invoice.objects.filter(status__in=[S.NEW, S.OVERDUE], due_paused_at__isnull=True)
        .with_money()
        .with_next_part()
        .select_related("person", "payer", "payer__user")
    )


def owes(invoice: Invoice) -> bool:
    return invoice.payable_amount() > 0


def blocking_anyone(today: dt.date):
    """Invoices that keep their person on emergency care: ПРОСРОЧЕН, and invoices past due
    that are being paid right now or were disputed after falling overdue (paying or disputing
    is not the same as having paid) — with something left to pay. Filter it by person, or use
    it as a subquery."""
    return Invoice.objects.filter(
        Q(status=S.OVERDUE) | Q(status__in=[S.PENDING, S.DISPUTED], due_date__lt=today)
    ).owing()


def blocking_invoices(*, person, today: dt.date):
    """`blocking_anyone` for one person."""
    return blocking_anyone(today).filter(person=person)
