"""State transitions of invoices that other apps (payments, feedback) trigger.

Payments never touch invoice rows themselves: they call these functions (ARCHITECTURE.md).
Each locks the rows, checks the source state, writes an audit entry; repeating a finished
transition is a no-op.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from audit.services import audit_log
from dms_portal import clock

from ..errors import InvoiceStateError
from ..models import Invoice

S = Invoice.Status
PAYABLE = (S.NEW, S.OVERDUE)

REASON_NOT_PAYABLE = {
    S.PAID: "Счёт уже оплачен",
    S.PENDING: "Оплата счёта уже выполняется",
    S.DISPUTED: "Счёт оспаривается",
    S.ANNULLED: "Счёт аннулирован",
}


def _unpaid_status(invoice: Invoice, today: dt.date) -> str:
    return S.OVERDUE if invoice.due_date < today else S.NEW


def _locked(invoice_ids: Iterable[int]) -> list[Invoice]:
    return list(Invoice.objects.select_for_update().filter(pk__in=list(invoice_ids)).order_by("pk"))


@transaction.atomic
def invoices_hold_for_payment(
    *, invoice_ids: Iterable[int], reference: str, actor=None
) -> list[Invoice]:
    """Move payable invoices to ОЖИДАЕТ ОПЛАТЫ for one payment attempt.

    Locks in id order (no deadlocks between two tabs); refuses the whole set if any invoice is
    not payable, so a second tab paying the same invoice gets an error, not a second charge.
    """
    invoices = _locked(invoice_ids)
    for invoice in invoices:
        if invoice.status not in PAYABLE:
            raise InvoiceStateError(
                f"Счёт {invoice.number}: {REASON_NOT_PAYABLE.get(invoice.status, 'нельзя оплатить')}"
            )
        if payable_amount(invoice) <= 0:
            raise InvoiceStateError(f"Счёт {invoice.number}: нечего оплачивать")
    for invoice in invoices:
        invoice.status = S.PENDING
        invoice.save(update_fields=["status"])
        audit_log(
            action="invoice.hold_for_payment", actor=actor, target=invoice, reference=reference
        )
    return invoices


@transaction.atomic
def invoices_release_hold(*, invoice_ids: Iterable[int], reference: str) -> list[Invoice]:
    """A payment was cancelled or expired: ОЖИДАЕТ ОПЛАТЫ goes back to НОВЫЙ / ПРОСРОЧЕН."""
    today = clock.moscow_today()
    released = []
    for invoice in _locked(invoice_ids):
        if invoice.status != S.PENDING:
            continue
        invoice.status = _unpaid_status(invoice, today)
        invoice.save(update_fields=["status"])
        audit_log(action="invoice.release_hold", target=invoice, reference=reference)
        released.append(invoice)
    return released


@transaction.atomic
def invoice_mark_paid(
    *, invoice_ids: Iterable[int], paid_at: dt.datetime, reference: str, actor=None
) -> list[Invoice]:
    """Confirmed money settles the invoices (online payment or bank transfer). Idempotent:
    already paid invoices are left as they are. Annulled invoices are refused."""
    invoices = _locked(invoice_ids)
    for invoice in invoices:
        if invoice.status == S.ANNULLED:
            raise InvoiceStateError(f"Счёт {invoice.number} аннулирован")
    changed = []
    for invoice in invoices:
        if invoice.status == S.PAID:
            continue
        invoice.status = S.PAID
        invoice.paid_at = paid_at
        invoice.save(update_fields=["status", "paid_at"])
        audit_log(
            action="invoice.paid",
            actor=actor,
            target=invoice,
            reference=reference,
            amount=str(invoice.amount_due),
        )
        changed.append(invoice)
    return changed


def payable_amount(invoice: Invoice) -> Decimal:
    """What is left to pay: amount due minus correction documents, never below zero.
    Use `with_payable()` for lists (one query instead of one per invoice)."""
    corrected = getattr(invoice, "corrections_total", None)
    if corrected is None:
        corrected = sum((c.amount for c in invoice.corrections.all()), Decimal("0"))
    return max(invoice.amount_due - corrected, Decimal("0.00"))


def with_payable(queryset):
    """Annotate `corrections_total` so `payable_amount` needs no extra query per invoice."""
    from django.db.models import DecimalField, Sum, Value
    from django.db.models.functions import Coalesce

    return queryset.annotate(
        corrections_total=Coalesce(
            Sum("corrections__amount"),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    )
