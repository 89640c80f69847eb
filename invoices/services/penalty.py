"""«Неустойка» (SPEC §3.8, docs/rules.md): the daily accrual on overdue co-pay and its waiver.

Rules (the contract's settings; off unless `penalty_enabled`):
- day D of delay costs `rate_percent` % of the overdue co-pay (amount due − corrections),
  rounded half up to kopecks per day, for every Moscow day D with
  due date + grace days < D ≤ today;
- the accruals of an invoice never exceed `cap_percent` % of that co-pay: the day that
  reaches the cap gets only what is left to it, later days nothing;
- nothing accrues while the invoice is disputed (ОСПАРИВАЕТСЯ: its due clock is paused, and
  when the dispute is rejected the due date moves on, so the paused days never count), while
  a payment is in flight (ОЖИДАЕТ ОПЛАТЫ: its amount is fixed; the days are caught up if the
  payment fails), nor once it is paid or annulled;
- nothing accrues while the invoice has an active instalment plan («Оплатить частями»): an
  overdue part leads to reminders and the downgrade like an overdue invoice, and a part never
  has to carry a penalty; if an operator cancels the plan, the ordinary rules apply again;
- a day that the job missed is caught up by the next run; a day already accrued is never
  accrued again (one accrual per invoice and day, a database constraint).

A waiver is a negative ledger row with its reason and who made it, audited; later days keep
accruing (the cap still counts the waived accruals, so a waiver never opens room under it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum

from audit.services import audit_entries_write, audit_entry, audit_log
from dms_portal import clock
from dms_portal.money import percent_of, to_kopecks

from ..errors import InvoiceStateError
from ..models import InstalmentPlan, Invoice, PenaltyEntry

S = Invoice.Status
ACCRUING = (S.NEW, S.OVERDUE)
ZERO = Decimal("0.00")
BATCH = 500


def _candidates(today: dt.date):
    """Invoices that may owe a day of penalty: unpaid, past due, clock not paused, contract
    with the penalty on, and no accrual for today yet (a second run the same day finds none)."""
    return (
        Invoice.objects.filter(
            status__in=ACCRUING,
            due_date__lt=today,
            due_paused_at__isnull=True,
            contract__penalty_enabled=True,
        )
        # Exists, not exclude() over the relation: that would match kind and date on two
        # different rows (a waiver made today beside an older accrual).
        .exclude(
            Exists(
                PenaltyEntry.objects.filter(
                    invoice=OuterRef("pk"), kind=PenaltyEntry.Kind.ACCRUAL, date=today
                )
            )
        )
        .exclude(Exists(_active_plan()))
        .order_by("pk")
    )


def _active_plan():
    return InstalmentPlan.objects.filter(
        invoice=OuterRef("pk"), status=InstalmentPlan.Status.ACTIVE
    )


def penalty_accrue(*, today: dt.date | None = None, batch_size: int = BATCH) -> dict:
    """The daily job: accrue every day owed up to `today` (Moscow) on every invoice that owes
    one. Safe to run twice or concurrently: each invoice is locked (a row a payment holds is
    skipped and looked at by the next run) and the rules are re-checked under the lock.
    Returns counts for the log."""
    today = today or clock.moscow_today()
    invoices = days = 0
    total = ZERO
    last_pk = 0
    while True:
        ids = list(
            _candidates(today).filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return {"invoices": invoices, "days": days, "amount": str(total)}
        last_pk = ids[-1]
        with transaction.atomic():
            locked = list(
                Invoice.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(pk__in=ids)
                .with_money()
                .with_dispute_mark()
                .select_related("contract")
                .order_by("pk")
            )
            written = []
            for invoice in locked:
                entries = _accrue_one(invoice, today)
                if entries:
                    written.append(
                        audit_entry(
                            action="invoice.penalty_accrued",
                            target=invoice,
                            days=len(entries),
                            first=entries[0].date.isoformat(),
                            last=entries[-1].date.isoformat(),
                            amount=str(sum(e.amount for e in entries)),
                        )
                    )
                    invoices += 1
                    days += len(entries)
                    total += sum((e.amount for e in entries), ZERO)
            audit_entries_write(written)


def penalty_days(*, invoice: Invoice, today: dt.date) -> list[dt.date]:
    """The days of delay that may cost a penalty, whether or not accrued yet (before the cap)."""
    first = invoice.due_date + dt.timedelta(days=invoice.contract.penalty_grace_days + 1)
    return [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]


def _accrue_one(invoice: Invoice, today: dt.date) -> list[PenaltyEntry]:
    """Under the invoice's row lock: the accruals owed and not written yet, written."""
    contract = invoice.contract
    if (
        not contract.penalty_enabled
        or invoice.status not in ACCRUING
        or invoice.due_paused_at is not None
        or invoice.in_dispute
        or invoice.instalment_plans.filter(status=InstalmentPlan.Status.ACTIVE).exists()
    ):
        return []
    base = invoice.amount_due - invoice.corrections_total
    if base <= 0:
        return []
    done = invoice.penalty_entries.filter(kind=PenaltyEntry.Kind.ACCRUAL)
    accrued_days = set(done.values_list("date", flat=True))
    todo = [d for d in penalty_days(invoice=invoice, today=today) if d not in accrued_days]
    if not todo:
        return []
    accrued = to_kopecks(done.aggregate(s=Sum("amount"))["s"] or ZERO)
    room = percent_of(base, contract.penalty_cap_percent) - accrued
    daily = percent_of(base, contract.penalty_rate_percent)
    now = clock.now()
    entries = []
    for day in todo:
        amount = min(daily, room)
        if amount <= 0:
            break
        room -= amount
        entries.append(
            PenaltyEntry(
                invoice=invoice,
                date=day,
                kind=PenaltyEntry.Kind.ACCRUAL,
                base=base,
                rate_percent=contract.penalty_rate_percent,
                amount=amount,
                created_at=now,
            )
        )
    PenaltyEntry.objects.bulk_create(entries)
    return entries


@transaction.atomic
def penalty_waive(
    *, invoice_id: int, reason: str, actor, amount: Decimal | None = None
) -> PenaltyEntry:
    """An operator writes off the invoice's penalty (all that is owed, or `amount` of it), with
    a reason; audited. Refused while a payment is in flight (its amount is fixed) and on a paid
    or annulled invoice (a paid penalty is a refund, not a waiver)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvoiceStateError("Укажите причину списания неустойки")
    invoice = Invoice.objects.select_for_update(of=("self",)).with_money().get(pk=invoice_id)
    if invoice.status in (S.PENDING, S.PAID, S.ANNULLED):
        raise InvoiceStateError(
            f"Счёт {invoice.number}: неустойку можно списать только с неоплаченного счёта "
            f"(сейчас «{invoice.get_status_display()}»)"
        )
    owed = to_kopecks(invoice.penalty_total)
    if owed <= 0:
        raise InvoiceStateError(f"Счёт {invoice.number}: неустойки к списанию нет")
    amount = owed if amount is None else to_kopecks(amount)
    if not ZERO < amount <= owed:
        raise InvoiceStateError(
            f"Счёт {invoice.number}: списать можно от 0,01 до {owed} ₽ неустойки"
        )
    entry = PenaltyEntry.objects.create(
        invoice=invoice,
        date=clock.moscow_today(),
        kind=PenaltyEntry.Kind.WAIVER,
        amount=-amount,
        reason=reason[:500],
        created_at=clock.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_log(
        action="invoice.penalty_waived",
        actor=actor,
        target=invoice,
        amount=str(amount),
        owed_before=str(owed),
        reason=reason,
    )
    return entry


@transaction.atomic
def penalty_after_payment_waive(
    *, invoice_ids, paid_on: dt.date, reference: str, actor=None
) -> list[PenaltyEntry]:
    """Money that arrived on `paid_on` (a bank transfer entered days later) owes no penalty for
    the days after it: what was accrued for them is written off, with the transfer as reason,
    before the transfer is checked against ИТОГО К ОПЛАТЕ. Called inside the caller's
    transaction: a transfer refused for its sum leaves no waiver behind."""
    waivers = []
    for invoice_id in sorted(set(invoice_ids)):
        after = PenaltyEntry.objects.filter(
            invoice_id=invoice_id, kind=PenaltyEntry.Kind.ACCRUAL, date__gt=paid_on
        ).aggregate(s=Sum("amount"))["s"]
        if not after:
            continue
        owed = to_kopecks(
            Invoice.objects.filter(pk=invoice_id)
            .with_money()
            .values_list("penalty_total", flat=True)[0]
        )
        amount = min(to_kopecks(after), owed)
        if amount > 0:
            waivers.append(
                penalty_waive(
                    invoice_id=invoice_id,
                    reason=f"Оплачено {paid_on:%d.%m.%Y} ({reference}): дни после оплаты",
                    actor=actor,
                    amount=amount,
                )
            )
    return waivers


def penalty_explained(invoice: Invoice) -> dict:
    """What the details window says about an invoice's penalty, from its ledger: days accrued,
    the last of them, accrued and waived totals, and the contract's rate and cap."""
    entries = invoice.penalty_entries.all()
    figures = entries.aggregate(
        days=Count("pk", filter=Q(kind=PenaltyEntry.Kind.ACCRUAL)),
        last_day=Max("date", filter=Q(kind=PenaltyEntry.Kind.ACCRUAL)),
        accrued=Sum("amount", filter=Q(kind=PenaltyEntry.Kind.ACCRUAL)),
        waived=Sum("amount", filter=Q(kind=PenaltyEntry.Kind.WAIVER)),
    )
    return {
        "days": figures["days"],
        "last_day": figures["last_day"],
        "accrued": to_kopecks(figures["accrued"] or ZERO),
        "waived": -to_kopecks(figures["waived"] or ZERO),
        "rate": percent_text(invoice.contract.penalty_rate_percent),
        "cap": percent_text(invoice.contract.penalty_cap_percent),
        "grace": invoice.contract.penalty_grace_days,
    }


def penalty_terms(contract) -> dict | None:
    """The contract's penalty as «Мои счета» states it; None when the contract has none."""
    if not contract.penalty_enabled:
        return None
    return {
        "rate": percent_text(contract.penalty_rate_percent),
        "cap": percent_text(contract.penalty_cap_percent),
        "grace": contract.penalty_grace_days,
    }


def percent_text(value: Decimal) -> str:
    """0.100 → «0,1», 10.00 → «10»: a contract's percent as a sentence says it."""
    return f"{Decimal(value).normalize():f}".replace(".", ",")
