"""Splitting an invoice into parts, cancelling a schedule, and keeping the parts true when a
dispute changes the invoice (SPEC §3.8, rules in docs/rules.md «Оплата частями»).

Every step locks the invoice row first (the same lock payments and disputes take), so a
split, a payment start, a dispute and a cancel of one invoice happen one after another.
"""

import datetime as dt

from django.db import IntegrityError, transaction

from audit.services import audit_log
from dms_portal import clock

from ..errors import InvoiceStateError
from ..models import InstalmentPart, InstalmentPlan, Invoice
from .schedule import PARTS_ALLOWED, schedule, split_amounts
from .selectors import active_plan, split_refusal

S = Invoice.Status
P = InstalmentPart.Status


def _lock(invoice_id: int) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("contract", "payer")
        .with_money()
        .get(pk=invoice_id)
    )


def instalment_plan_create(*, invoice_id: int, parts: int, user) -> InstalmentPlan:
    """Split a НОВЫЙ invoice of at least the contract's threshold into `parts` (2 or 3)
    monthly parts: the first due at the invoice's due date, kopecks on the last part.

    Only the payer splits (anyone else: Invoice.DoesNotExist, a 404 for the view). A second
    submit finds the active plan and is refused; the partial unique constraint backs the lock.
    """
    if parts not in PARTS_ALLOWED:
        raise InvoiceStateError("Выберите 2 или 3 части")
    try:
        with transaction.atomic():
            invoice = _lock(invoice_id)
            if invoice.payer.user_id is None or invoice.payer.user_id != user.pk:
                raise Invoice.DoesNotExist
            reason = split_refusal(invoice)
            if reason:
                raise InvoiceStateError(f"Счёт {invoice.number}: {reason}")
            total = invoice.payable_amount()
            plan = InstalmentPlan.objects.create(
                invoice=invoice,
                parts_count=parts,
                amount=total,
                created_at=clock.now(),
                created_by=user,
            )
            InstalmentPart.objects.bulk_create(
                InstalmentPart(plan=plan, invoice=invoice, number=k, due_date=day, amount=amount)
                for k, (day, amount) in enumerate(
                    schedule(total=total, first_due=invoice.due_date, parts=parts), start=1
                )
            )
            audit_log(
                action="invoice.instalments_created",
                actor=user,
                target=invoice,
                parts=parts,
                amount=str(total),
            )
            return plan
    except IntegrityError as exc:  # the database's guard behind the row lock
        raise InvoiceStateError("Счёт уже разбит на части") from exc


@transaction.atomic
def instalment_plan_cancel(*, plan_id: int, reason: str, actor=None) -> InstalmentPlan:
    """Cancel an active schedule (an operator, in admin): unpaid parts are dropped and the
    invoice asks again for one amount, what remains, by the date of the next unpaid part
    (already its due date). Paid parts stay paid. Refused while a part is being paid;
    cancelling a schedule that is no longer active is a no-op."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvoiceStateError("Укажите причину отмены графика")
    invoice_id = InstalmentPlan.objects.values_list("invoice_id", flat=True).get(pk=plan_id)
    invoice = _lock(invoice_id)
    plan = InstalmentPlan.objects.select_for_update().get(pk=plan_id)
    if plan.status != InstalmentPlan.Status.ACTIVE:
        return plan
    if invoice.status == S.PENDING:
        raise InvoiceStateError(f"Счёт {invoice.number}: оплата счёта уже выполняется")
    dropped = plan.parts.filter(status=P.UNPAID).update(status=P.DROPPED)
    plan.status = InstalmentPlan.Status.CANCELLED
    plan.cancelled_at = clock.now()
    plan.cancelled_by = actor
    plan.cancel_reason = reason[:500]
    plan.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    audit_log(
        action="invoice.instalments_cancelled",
        actor=actor,
        target=invoice,
        reason=reason,
        parts_dropped=dropped,
        remaining=str(invoice.payable_amount()),
    )
    return plan


def instalments_respread(*, invoice: Invoice, actor=None) -> None:
    """After a correction (an accepted dispute) of a split invoice: what remains to pay is
    spread again over the unpaid parts, kopeck-exact, kopecks on the last; their dates stay.
    Nothing left: the unpaid parts are dropped and the plan is done. Called under the
    invoice's lock by `invoice_correction_create`; `invoice` has the money as of now."""
    plan = active_plan(invoice)
    if plan is None:
        return
    unpaid = list(plan.parts.select_for_update().filter(status=P.UNPAID).order_by("number"))
    if not unpaid:
        return
    remaining = (
        Invoice.objects.filter(pk=invoice.pk).with_money().values_list("payable", flat=True).get()
    )
    amounts = split_amounts(remaining, len(unpaid)) if remaining > 0 else []
    for part, amount in zip(unpaid, amounts + [None] * (len(unpaid) - len(amounts)), strict=True):
        if amount is None:
            part.status = P.DROPPED
        else:
            part.amount = amount
    InstalmentPart.objects.bulk_update(unpaid, ["amount", "status"])
    if not amounts:
        plan.status = InstalmentPlan.Status.COMPLETED
        plan.save(update_fields=["status"])
    audit_log(
        action="invoice.instalments_respread",
        actor=actor,
        target=invoice,
        remaining=str(remaining),
        parts=",".join(f"{p.number}:{p.amount if p.status == P.UNPAID else '—'}" for p in unpaid),
    )


def instalments_follow_due(*, invoice: Invoice, old_due: dt.date) -> None:
    """A dispute ended and moved the invoice's due date: the unpaid parts move by the same
    number of days, so the next part is due at the invoice's new due date and the months
    between parts stay. Called under the invoice's lock by `invoice_dispute_close`."""
    plan = active_plan(invoice)
    shift = invoice.due_date - old_due
    if plan is None or not shift:
        return
    unpaid = list(plan.parts.select_for_update().filter(status=P.UNPAID))
    for part in unpaid:
        part.due_date += shift
    InstalmentPart.objects.bulk_update(unpaid, ["due_date"])
