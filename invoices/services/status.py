"""State transitions of invoices that other apps (payments, feedback, debts) trigger.

Other apps never touch invoice rows themselves: they call these functions (ARCHITECTURE.md),
including the nightly НОВЫЙ → ПРОСРОЧЕН of the debt path (`invoices_mark_overdue`). Each locks
the rows, checks the source state, writes an audit entry; repeating a finished transition is a
no-op.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from audit.services import audit_entries_write, audit_entry, audit_log
from dms_portal import clock

from ..errors import InvoiceStateError
from ..models import InstalmentPart, InstalmentPlan, Invoice
from ..signals import instalment_paid_send, invoices_paid_send

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
    return list(
        Invoice.objects.select_for_update(of=("self",))
        .filter(pk__in=list(invoice_ids))
        .with_money()
        .order_by("pk")
    )


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
        if invoice.payable_amount() <= 0:
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
    already paid invoices are left as they are. Annulled invoices are refused. Once committed,
    the invoices that changed go out as `invoices.signals.invoices_paid`."""
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
    if changed:
        # After commit: listeners (the programme restore) never hold up or undo the payment.
        transaction.on_commit(lambda: invoices_paid_send(changed))
    return changed


@transaction.atomic
def invoice_part_mark_paid(
    *, parts: Mapping[int, Decimal], paid_at: dt.datetime, reference: str, actor=None
) -> list[InstalmentPart]:
    """Confirmed money settles instalment parts (SPEC §3.8); `parts` maps part id → the amount
    the payment charged for it. Idempotent: a paid part is left as it is. Refused as a whole
    (nothing changes) when a part was dropped (schedule cancelled, correction) or asks for
    another amount now, or its invoice is annulled: the caller flags the money for a refund.

    The last part makes the invoice ОПЛАЧЕН (`invoice_mark_paid`); an earlier one returns it
    to НОВЫЙ / ПРОСРОЧЕН by the next part's date, which becomes the invoice's due date, so
    reminders and the overdue job follow the parts."""
    invoices = {
        i.pk: i
        for i in _locked(
            InstalmentPart.objects.filter(pk__in=list(parts)).values_list("invoice_id", flat=True)
        )
    }
    rows = list(InstalmentPart.objects.select_for_update().filter(pk__in=list(parts)))
    if len(rows) != len(parts):
        raise InvoiceStateError("Часть счёта не найдена")
    for part in rows:
        invoice = invoices[part.invoice_id]
        if invoice.status == S.ANNULLED:
            raise InvoiceStateError(f"Счёт {invoice.number} аннулирован")
        if part.status == InstalmentPart.Status.DROPPED:
            raise InvoiceStateError(f"Счёт {invoice.number}: часть {part.number} снята")
        if part.status == InstalmentPart.Status.UNPAID and part.amount != parts[part.pk]:
            raise InvoiceStateError(
                f"Счёт {invoice.number}: часть {part.number} теперь на сумму {part.amount} ₽"
            )
    changed, partly_paid = [], []
    today = clock.moscow_today()
    for part in sorted(rows, key=lambda p: p.pk):
        if part.status == InstalmentPart.Status.PAID:
            continue
        part.status = InstalmentPart.Status.PAID
        part.paid_at = paid_at
        part.reference = reference[:100]
        part.save(update_fields=["status", "paid_at", "reference"])
        invoice = invoices[part.invoice_id]
        audit_log(
            action="invoice.part_paid",
            actor=actor,
            target=invoice,
            reference=reference,
            part=part.number,
            amount=str(part.amount),
        )
        changed.append(part)
        following = (
            InstalmentPart.objects.filter(plan_id=part.plan_id, status=InstalmentPart.Status.UNPAID)
            .order_by("number")
            .first()
        )
        if following is None:
            InstalmentPlan.objects.filter(pk=part.plan_id).update(
                status=InstalmentPlan.Status.COMPLETED
            )
            invoice_mark_paid(
                invoice_ids=[invoice.pk], paid_at=paid_at, reference=reference, actor=actor
            )
        else:
            partly_paid.append(invoice)
            if invoice.status in (S.PENDING, S.NEW, S.OVERDUE):
                invoice.due_date = following.due_date
                invoice.status = _unpaid_status(invoice, today)
                invoice.save(update_fields=["status", "due_date"])
    if partly_paid:
        # The restore check of the debt path: an overdue part paid may end an emergency-only
        # programme though the invoice is not ОПЛАЧЕН yet (a paid one sends `invoices_paid`).
        transaction.on_commit(lambda: instalment_paid_send(partly_paid))
    return changed


OVERDUE_BATCH = 500


def _falls_overdue(today: dt.date) -> Q:
    """НОВЫЙ, past due, clock not paused by a dispute. Repeated in the UPDATE's WHERE: a payment
    that got to the row first (ОЖИДАЕТ ОПЛАТЫ / ОПЛАЧЕН) is never overwritten."""
    return Q(status=S.NEW, due_date__lt=today, due_paused_at__isnull=True)


def invoices_mark_overdue(*, today: dt.date, batch_size: int = OVERDUE_BATCH) -> list[Invoice]:
    """НОВЫЙ past its due date (and not paused by a dispute) becomes ПРОСРОЧЕН (the nightly job
    of the debt path).

    Per batch of `batch_size` rows, in one transaction: lock the ids (SKIP LOCKED: a row a
    payment holds right now is left to the payment and looked at again by the next run,
    instead of making the nightly job wait), one UPDATE whose WHERE re-checks the state, read
    back the changed rows, one bulk write of their audit entries. Keyset paging (id > last)
    guarantees progress. Returns the invoices this call changed (number, due date, person and
    payer ids only).
    """
    changed: list[Invoice] = []
    last_pk = 0
    while True:
        with transaction.atomic():
            ids = list(
                Invoice.objects.select_for_update(skip_locked=True)
                .filter(_falls_overdue(today), pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return changed
            last_pk = ids[-1]
            Invoice.objects.filter(_falls_overdue(today), pk__in=ids).update(status=S.OVERDUE)
            # Locked rows were НОВЫЙ a moment ago, so those ПРОСРОЧЕН now are exactly ours.
            # Only what the audit entry and the caller need: most of them are named by a
            # downgrade notice, so the full rows are read later for the few that are not.
            batch = list(
                Invoice.objects.filter(pk__in=ids, status=S.OVERDUE)
                .only("pk", "number", "due_date", "person_id", "payer_id", "status")
                .order_by("pk")
            )
            audit_entries_write(
                [
                    audit_entry(action="invoice.overdue", target=i, due_date=i.due_date)
                    for i in batch
                ]
            )
        changed.extend(batch)
