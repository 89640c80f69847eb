"""Annulment of an invoice by an operator (SPEC §3.3), e.g. when a clinic recalls a registry."""

from __future__ import annotations

from django.db import transaction

from audit.services import audit_log
from dms_portal import clock
from policies.services.payer import contacts_of

from ..errors import InvoiceStateError
from ..models import DepositEntry, InstalmentPlan, Invoice, ServiceLine
from .deposit import deposit_applied_to, deposit_settle_open_invoices

S = Invoice.Status
LINES_RETURN = "return"
LINES_DISMISS = "dismiss"


@transaction.atomic
def invoice_annul(*, invoice: Invoice, reason: str, lines_action: str, actor=None) -> Invoice:
    """АННУЛИРОВАН with a reason. Lines go back to the unbilled pool (`return`: the next run
    bills them on a new invoice) or are dismissed (`dismiss`); deposit applied to the invoice
    returns to the balance (a RETURN entry) and may settle the person's other open invoices.

    Refused while a payment is in flight, and for an invoice paid with money (that needs a
    refund first). Annulling an annulled invoice is a no-op."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvoiceStateError("Укажите причину аннулирования")
    if lines_action not in (LINES_RETURN, LINES_DISMISS):
        raise InvoiceStateError("Выберите, что сделать со строками счёта")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == S.ANNULLED:
        return invoice
    if invoice.status == S.PENDING:
        raise InvoiceStateError(f"Счёт {invoice.number}: оплата счёта уже выполняется")
    if invoice.status != S.PAID and invoice.instalment_parts.filter(status="paid").exists():
        raise InvoiceStateError(
            f"Счёт {invoice.number}: часть счёта оплачена — сначала оформите возврат платежа"
        )
    deposit = deposit_applied_to(invoice)
    if invoice.status == S.PAID and deposit < invoice.copay_total:
        raise InvoiceStateError(f"Счёт {invoice.number} оплачен: сначала оформите возврат платежа")
    now = clock.now()
    previous = invoice.status
    invoice.status = S.ANNULLED
    invoice.annulled_at = now
    invoice.annul_reason = reason
    invoice.save(update_fields=["status", "annulled_at", "annul_reason"])
    # An unpaid schedule ends with its invoice (SPEC §3.8): nothing of it is asked any more.
    for plan in invoice.instalment_plans.filter(status=InstalmentPlan.Status.ACTIVE):
        plan.parts.filter(status="unpaid").update(status="dropped")
        plan.status = InstalmentPlan.Status.CANCELLED
        plan.cancelled_at, plan.cancel_reason = now, "Счёт аннулирован"
        plan.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    ServiceLine.objects.filter(invoice_lines__invoice=invoice).update(
        status=ServiceLine.Status.LOADED
        if lines_action == LINES_RETURN
        else ServiceLine.Status.DISMISSED
    )
    if deposit > 0:
        DepositEntry.objects.create(
            person_id=invoice.person_id,
            kind=DepositEntry.Kind.RETURN,
            amount=deposit,
            invoice=invoice,
            created_at=now,
            reference=f"Аннулирование счёта {invoice.number}",
        )
    audit_log(
        action="invoice.annulled",
        actor=actor,
        target=invoice,
        reason=reason,
        lines=lines_action,
        previous=previous,
        deposit_returned=deposit,
    )
    if deposit > 0:
        deposit_settle_open_invoices(person=invoice.person, actor=actor)
    transaction.on_commit(lambda: _notify_annulled(invoice.pk))
    return invoice


def _notify_annulled(invoice_id: int) -> None:
    from notifications.services import notify

    invoice = Invoice.objects.select_related("payer__user", "person").get(pk=invoice_id)
    contacts = contacts_of(invoice.payer)
    if contacts.reachable:
        notify(
            event="invoice_annulled",
            key=f"invoice_annulled:{invoice.pk}",
            phone=contacts.phone,
            email=contacts.email,
            user_id=contacts.user_id,
            context={"invoice": invoice, "person": invoice.person},
        )
