"""The invoice side of a service dispute (SPEC §3.5), called by feedback's services.

An invoice is never edited: a dispute only moves its status (ОСПАРИВАЕТСЯ and back) and its due
clock; an accepted dispute adds a correction document (InvoiceCorrection) and, when the
corrected co-pay had already been paid, a credit to the deposit of the person's policy.
Each step locks the invoice row, checks the source state and writes an audit entry.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from audit.services import audit_log
from dms_portal import clock
from dms_portal.money import to_kopecks

from ..errors import InvoiceStateError
from ..instalments.services import instalments_follow_due, instalments_respread
from ..models import DepositEntry, Invoice, InvoiceCorrection, InvoiceCorrectionLine, InvoiceLine
from .penalty import penalty_waive

S = Invoice.Status
# Paid invoices can be disputed too: an accepted dispute then credits the deposit.
DISPUTABLE = (S.NEW, S.OVERDUE, S.PAID, S.DISPUTED)
# After a rejected dispute the payer gets at least this many calendar days (SPEC §3.5).
MIN_DAYS_AFTER_DISPUTE = 10

REASON_NOT_DISPUTABLE = {
    S.PENDING: "по счёту выполняется оплата — оспорить его можно после её завершения",
    S.ANNULLED: "счёт аннулирован, оплачивать его не нужно",
}


def _lock(invoice_id: int) -> Invoice:
    """The invoice row, locked, with its money annotated as of the lock (`with_money`)."""
    return Invoice.objects.select_for_update(of=("self",)).with_money().get(pk=invoice_id)


def line_corrected_total(line: InvoiceLine) -> Decimal:
    total = line.corrections.aggregate(s=Sum("copay_reduction"))["s"]
    return total or Decimal("0.00")


def invoice_disputable_reason(invoice: Invoice) -> str | None:
    """None when the invoice may be disputed, otherwise why not (a Russian phrase)."""
    if invoice.status in DISPUTABLE:
        return None
    return REASON_NOT_DISPUTABLE.get(invoice.status, "счёт нельзя оспорить")


@transaction.atomic
def invoice_dispute_open(
    *, invoice_id: int, line_ids: Iterable[int], actor=None, reference: str = ""
) -> Invoice:
    """Mark an unpaid invoice ОСПАРИВАЕТСЯ: it leaves payment selection and its due clock
    pauses. A paid invoice stays ОПЛАЧЕН (the open appeal is its «спор» mark); an invoice
    already disputed (another appeal on other lines) stays so."""
    invoice = _lock(invoice_id)
    reason = invoice_disputable_reason(invoice)
    if reason:
        raise InvoiceStateError(f"Счёт {invoice.number}: {reason}")
    line_ids = set(line_ids)
    lines = list(invoice.lines.filter(pk__in=line_ids))
    if not lines or len(lines) != len(line_ids):
        raise InvoiceStateError(f"Выберите услуги из счёта {invoice.number}")
    for line in lines:
        if line_corrected_total(line) >= line.copay:
            raise InvoiceStateError(
                f"Сооплата за услугу «{line.service_name}» уже снята корректировкой"
            )
    if invoice.status == S.DISPUTED:
        return invoice
    was = invoice.status
    # Paid stays paid (SPEC §3.4): no status change, no due clock; the screens show «спор»
    # from the open appeal lines (`InvoiceQuerySet.with_dispute_mark`).
    if invoice.status != S.PAID:
        invoice.status = S.DISPUTED
        invoice.due_paused_at = clock.now()
        invoice.save(update_fields=["status", "due_paused_at"])
    audit_log(
        action="invoice.dispute_open",
        actor=actor,
        target=invoice,
        reference=reference,
        was=was,
        lines=",".join(str(pk) for pk in sorted(line_ids)),
    )
    return invoice


def _next_correction_number(invoice: Invoice) -> str:
    # Under the invoice row lock, so two corrections of one invoice cannot take the same n.
    n = invoice.corrections.count() + 1
    return f"К-{invoice.number}-{n}"


@transaction.atomic
def invoice_correction_create(
    *,
    invoice_id: int,
    reductions: Mapping[int, Decimal],
    reason: str,
    settlement: str = "deposit",
    actor=None,
) -> tuple[InvoiceCorrection, Decimal]:
    """Record a correction document reducing the co-pay of the given lines; returns it and the
    part of the reduction that had already been paid (credited, or to refund).

    `reductions` maps InvoiceLine id → reduction (≤ what is left of that line's co-pay).
    The part of the reduction that had already been paid (by money or by the deposit) is
    credited to the deposit of the invoice's person (`settlement="deposit"`), or left for the
    operator to refund through the payment provider (`settlement="refund"`, audited).
    """
    if settlement not in ("deposit", "refund"):
        raise ValueError(f"unknown settlement {settlement!r}")
    invoice = _lock(invoice_id)
    # A paid invoice keeps ОПЛАЧЕН while disputed; the caller holds the open appeal.
    if invoice.status not in (S.DISPUTED, S.PAID):
        raise InvoiceStateError(f"Счёт {invoice.number} не оспаривается")
    lines = {line.pk: line for line in invoice.lines.filter(pk__in=list(reductions))}
    if len(lines) != len(reductions):
        raise InvoiceStateError(f"Услуги не из счёта {invoice.number}")
    clean: dict[int, Decimal] = {}
    for pk, amount in reductions.items():
        amount = to_kopecks(amount)
        line = lines[pk]
        left = line.copay - line_corrected_total(line)
        if amount <= 0 or amount > left:
            raise InvoiceStateError(
                f"Уменьшение сооплаты за «{line.service_name}» должно быть от 0,01 до {left} ₽"
            )
        clean[pk] = amount
    total = sum(clean.values(), Decimal("0.00"))
    # What was still unpaid absorbs the reduction first; the rest had been paid already.
    unpaid = Decimal("0.00") if invoice.paid_at else invoice.payable_amount()
    credit = max(total - unpaid, Decimal("0.00"))
    now = clock.now()
    correction = InvoiceCorrection.objects.create(
        invoice=invoice,
        number=_next_correction_number(invoice),
        created_at=now,
        reason=reason[:500],
        amount=total,
        settlement=settlement if credit > 0 else "",
    )
    InvoiceCorrectionLine.objects.bulk_create(
        InvoiceCorrectionLine(correction=correction, invoice_line_id=pk, copay_reduction=amount)
        for pk, amount in clean.items()
    )
    audit_log(
        action="invoice.correction",
        actor=actor,
        target=invoice,
        correction=correction.number,
        amount=str(total),
        credit=str(credit),
        settlement=correction.settlement,
    )
    if credit > 0 and settlement == "deposit":
        entry = DepositEntry.objects.create(
            person=invoice.person,
            kind=DepositEntry.Kind.CREDIT,
            amount=credit,
            invoice=invoice,
            created_at=now,
            reference=f"Корректировка {correction.number}",
        )
        audit_log(
            action="deposit.credit",
            actor=actor,
            target=entry,
            invoice=invoice.number,
            amount=str(credit),
        )
    elif credit > 0:
        # Operators find these in the corrections list (settlement «Возврат») and refund
        # through the provider; the audit entry is their to-do record.
        audit_log(
            action="invoice.refund_requested",
            actor=actor,
            target=invoice,
            correction=correction.number,
            amount=str(credit),
        )
    # A split invoice: what remains is spread again over its unpaid parts (SPEC §3.8).
    instalments_respread(invoice=invoice, actor=actor)
    return correction, credit


def _resumed_due_date(invoice: Invoice, today: dt.date) -> dt.date:
    paused_on = clock.to_moscow_date(invoice.due_paused_at) if invoice.due_paused_at else today
    remaining = (invoice.due_date - paused_on).days
    return today + dt.timedelta(days=max(remaining, MIN_DAYS_AFTER_DISPUTE))


@transaction.atomic
def invoice_dispute_close(*, invoice_id: int, actor=None, reference: str = "") -> Invoice:
    """The last open dispute of the invoice is decided: ОСПАРИВАЕТСЯ ends.

    A paid invoice is ОПЛАЧЕН again; an unpaid one whose corrections left nothing to pay is
    settled (ОПЛАЧЕН); otherwise the due clock resumes with the days that were left when it
    paused, but never fewer than 10 calendar days from today. Repeating is a no-op.
    """
    invoice = _lock(invoice_id)
    if invoice.status != S.DISPUTED:
        return invoice
    today = clock.moscow_today()
    fields = ["status"]
    old_due = invoice.due_date
    if invoice.paid_at is not None:
        invoice.status = S.PAID
    elif invoice.amount_due - invoice.corrections_total - invoice.parts_paid <= 0:
        # Corrections took off all of the co-pay that was not yet paid (in parts, if split): a
        # penalty accrued on it was on nothing owed.
        if invoice.penalty_total > 0:
            penalty_waive(
                invoice_id=invoice.pk,
                reason="Сооплата по счёту снята корректировкой по обращению",
                actor=actor,
            )
        invoice.status = S.PAID
        invoice.paid_at = clock.now()
        invoice.due_paused_at = None
        fields += ["paid_at", "due_paused_at"]
    else:
        invoice.due_date = _resumed_due_date(invoice, today)
        invoice.due_paused_at = None
        invoice.status = S.OVERDUE if invoice.due_date < today else S.NEW
        fields += ["due_date", "due_paused_at"]
    invoice.save(update_fields=fields)
    instalments_follow_due(invoice=invoice, old_due=old_due)  # a split invoice's parts move too
    audit_log(
        action="invoice.dispute_close",
        actor=actor,
        target=invoice,
        reference=reference,
        status=invoice.status,
        old_due=old_due.isoformat(),
        due=invoice.due_date.isoformat(),
    )
    return invoice
