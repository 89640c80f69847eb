"""Гарантийный взнос (deposit) of a relative's policy: a ledger whose sum is the balance.

Entries: PAYMENT (+, recorded by an operator), APPLICATION (−, offsets an invoice), RETURN (+,
an annulled invoice gives back what was applied), CREDIT (+, an accepted dispute).

When is a deposit applied (the choice, since an issued invoice is never edited):
- at formation, the invoice run applies min(balance, co-pay) and writes it into the invoice's
  «Гарантийный взнос» column; ИТОГО К ОПЛАТЕ = co-pay − that, never below zero, and an invoice
  covered in full is ОПЛАЧЕН at once;
- money that arrives later (a payment, a return) settles the person's open invoices (НОВЫЙ,
  ПРОСРОЧЕН) oldest first, but only those it covers IN FULL: each gets an APPLICATION entry and
  is marked paid through invoices.services.status.invoice_mark_paid. The first invoice the
  balance cannot cover stops the walk (strictly oldest first); the rest of the balance waits
  for the next invoice run. A partial offset would need the issued invoice's amount to change,
  which the rules forbid, and would leave the user paying the full amount beside it.
Every operation locks the person's roster row, so a run and a payment never spend one rouble
twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from audit.services import audit_log
from dms_portal import clock
from dms_portal.money import to_kopecks
from policies.models import InsuredPerson

from ..errors import InvoiceError
from ..models import DepositEntry, Invoice
from .status import invoice_mark_paid

ZERO = Decimal("0.00")
DEPOSIT_REFERENCE = "Гарантийный взнос"


def deposit_balance(person: InsuredPerson | int) -> Decimal:
    """The balance of the person's deposit: the sum of its ledger entries."""
    person_id = getattr(person, "pk", person)
    total = DepositEntry.objects.filter(person_id=person_id).aggregate(s=Sum("amount"))["s"]
    return to_kopecks(total or ZERO)


def deposit_history(person: InsuredPerson | int):
    """The ledger entries, oldest first, with their invoices (for «Мои счета»)."""
    person_id = getattr(person, "pk", person)
    return (
        DepositEntry.objects.filter(person_id=person_id)
        .select_related("invoice")
        .order_by("created_at", "id")
    )


def balances_for(*, person_ids=None, lock: bool = False) -> dict[int, Decimal]:
    """person id → positive balance. With `lock`, the people's rows are locked first (inside
    the caller's transaction) so a concurrent payment or run waits."""
    entries = DepositEntry.objects.all()
    if person_ids is not None:
        entries = entries.filter(person_id__in=list(person_ids))
    if lock:
        holders = entries.values_list("person_id", flat=True).distinct()
        list(InsuredPerson.objects.select_for_update().filter(pk__in=holders).order_by("pk"))
    rows = entries.values("person_id").annotate(balance=Sum("amount")).filter(balance__gt=0)
    return {row["person_id"]: to_kopecks(row["balance"]) for row in rows}


@transaction.atomic
def deposit_payment_record(
    *,
    person: InsuredPerson,
    amount: Decimal,
    paid_at: dt.datetime | None = None,
    reference: str = "",
    actor=None,
) -> DepositEntry:
    """An operator records money paid as a deposit for a relative's policy; it then settles the
    relative's open invoices it covers in full, oldest first."""
    if person.category != InsuredPerson.Category.RELATIVE:
        raise InvoiceError("Гарантийный взнос вносится только за полис родственника")
    if amount is None or amount <= 0 or to_kopecks(amount) != amount:
        raise InvoiceError(
            "Сумма взноса должна быть больше нуля, не больше двух знаков после запятой"
        )
    InsuredPerson.objects.select_for_update().get(pk=person.pk)
    entry = DepositEntry.objects.create(
        person=person,
        kind=DepositEntry.Kind.PAYMENT,
        amount=amount,
        created_at=paid_at or clock.now(),
        reference=reference,
    )
    audit_log(action="deposit.payment", actor=actor, target=entry, person=person.pk, amount=amount)
    deposit_settle_open_invoices(person=person, actor=actor)
    return entry


def deposit_settle_open_invoices(*, person: InsuredPerson, actor=None) -> list[Invoice]:
    """Spend the balance on open invoices it covers in full, oldest first (see module doc)."""
    with transaction.atomic():
        InsuredPerson.objects.select_for_update().get(pk=person.pk)
        balance = deposit_balance(person)
        settled: list[Invoice] = []
        if balance <= 0:
            return settled
        open_invoices = (
            Invoice.objects.select_for_update(of=("self",))
            .filter(person=person, status__in=[Invoice.Status.NEW, Invoice.Status.OVERDUE])
            .with_money()
            .order_by("formed_at", "id")
        )
        now = clock.now()
        for invoice in open_invoices:
            remaining = invoice.payable_amount()
            if remaining > balance:
                break
            if remaining > 0:
                entry = DepositEntry.objects.create(
                    person=person,
                    kind=DepositEntry.Kind.APPLICATION,
                    amount=-remaining,
                    invoice=invoice,
                    created_at=now,
                    reference=f"Счёт {invoice.number}",
                )
                audit_log(
                    action="deposit.applied",
                    actor=actor,
                    target=entry,
                    invoice=invoice.pk,
                    amount=-remaining,
                )
                balance -= remaining
            invoice_mark_paid(
                invoice_ids=[invoice.pk], paid_at=now, reference=DEPOSIT_REFERENCE, actor=actor
            )
            settled.append(invoice)
        return settled


def deposit_applied_to(invoice: Invoice) -> Decimal:
    """What the deposit currently covers of `invoice` (applications minus returns)."""
    total = DepositEntry.objects.filter(
        invoice=invoice, kind__in=[DepositEntry.Kind.APPLICATION, DepositEntry.Kind.RETURN]
    ).aggregate(s=Sum("amount"))["s"]
    return -to_kopecks(total or ZERO)
