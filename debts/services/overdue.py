"""Overdue invoices and the emergency-only programme (SPEC §3.6).

- An invoice unpaid after its due date becomes ПРОСРОЧЕН (a dispute pauses the clock:
  disputed invoices are ОСПАРИВАЕТСЯ and have `due_paused_at`, so they are not touched).
- A person with a ПРОСРОЧЕН invoice is moved to his contract's emergency-only programme; the
  previous programme is kept in a ProgrammeDowngrade row (at most one open per person).
- Once none of the person's invoices is past due and unpaid, the programme is restored at once
  when the contract says auto-restore, otherwise the downgrade waits for an operator.

Every step locks its rows, re-checks the state under the lock and writes an audit entry;
running any of it twice changes nothing the second time.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from audit.services import audit_log
from dms_portal import clock
from invoices.models import Invoice, InvoiceCorrection
from invoices.services.status import payable_amount, with_payable
from notifications.services import notify
from policies.models import InsuredPerson, Program

from ..errors import DebtError
from ..models import ProgrammeDowngrade
from .common import invoice_context, person_contacts

log = logging.getLogger(__name__)

S = Invoice.Status
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
D = ProgrammeDowngrade.Status


def _owing(queryset):
    """Only invoices with something left to pay after corrections."""
    return with_payable(queryset).filter(amount_due__gt=F("corrections_total"))


def blocking_invoices(*, person: InsuredPerson, today: dt.date):
    """The person's invoices that keep him on emergency care: ПРОСРОЧЕН, and invoices past due
    that are being paid right now or were disputed after falling overdue (paying or disputing
    is not the same as having paid)."""
    return _owing(
        Invoice.objects.filter(person=person).filter(
            Q(status=S.OVERDUE) | Q(status__in=[S.PENDING, S.DISPUTED], due_date__lt=today)
        )
    )


BATCH = 500


def invoices_mark_overdue(*, today: dt.date) -> list[Invoice]:
    """НОВЫЙ past its due date (and not paused by a dispute) becomes ПРОСРОЧЕН.

    An invoice run gives thousands of invoices the same due date, so they fall overdue the
    same night: batches of BATCH rows, each locked and re-checked by the WHERE clause in one
    transaction. Rows a payment holds locked right now are skipped (SKIP LOCKED) and looked at
    again by the next run, instead of making the nightly job wait.
    """
    changed: list[Invoice] = []
    while True:
        with transaction.atomic():
            batch = list(
                Invoice.objects.select_for_update(skip_locked=True)
                .filter(status=S.NEW, due_date__lt=today, due_paused_at__isnull=True)
                .order_by("pk")[:BATCH]
            )
            if not batch:
                return changed
            Invoice.objects.filter(pk__in=[i.pk for i in batch]).update(status=S.OVERDUE)
            for invoice in batch:
                invoice.status = S.OVERDUE
                audit_log(action="invoice.overdue", target=invoice, due_date=invoice.due_date)
        changed.extend(batch)


def person_downgrade(*, person_id: int, today: dt.date) -> ProgrammeDowngrade | None:
    """Move a person with overdue invoices to the emergency-only programme; None when there is
    nothing to do (no overdue invoice, already downgraded, no full programme to leave)."""
    with transaction.atomic():
        person = (
            InsuredPerson.objects.select_for_update(of=("self",))
            .select_related("program", "contract")
            .get(pk=person_id)
        )
        overdue = list(
            blocking_invoices(person=person, today=today).filter(status=S.OVERDUE).order_by("pk")
        )
        if not overdue:
            return None
        if ProgrammeDowngrade.objects.filter(person=person, restored_at__isnull=True).exists():
            return None
        if person.program.kind != Program.Kind.FULL:
            return None
        emergency = Program.objects.filter(
            contract_id=person.contract_id, kind=Program.Kind.EMERGENCY
        ).first()
        if emergency is None:
            log.error("contract %s has no emergency programme: %s stays", person.contract, person)
            return None
        downgrade = ProgrammeDowngrade.objects.create(
            person=person,
            from_program=person.program,
            to_program=emergency,
            at=clock.now(),
            invoice_numbers=", ".join(i.number for i in overdue)[:500],
        )
        person.program = emergency
        person.save(update_fields=["program"])
        audit_log(
            action="programme.downgrade",
            target=person,
            from_program=downgrade.from_program_id,
            to_program=emergency.pk,
            invoices=downgrade.invoice_numbers,
        )
        _notify(
            "downgrade_emergency",
            downgrade,
            key=f"downgrade:{downgrade.pk}",
            invoices=overdue,
            total=sum((payable_amount(i) for i in overdue), Decimal("0.00")),
        )
    return downgrade


def person_restore_if_settled(
    person: InsuredPerson, *, today: dt.date | None = None
) -> ProgrammeDowngrade | None:
    """Call after a payment (or from the periodic check): if the person's open downgrade has no
    blocking invoice left, restore the programme (auto-restore contracts) or queue it for an
    operator. Cheap when there is no open downgrade: one indexed query. Returns the downgrade
    it changed, else None."""
    today = today or clock.moscow_today()
    open_id = (
        ProgrammeDowngrade.objects.filter(person_id=person.pk, status=D.ACTIVE)
        .values_list("pk", flat=True)
        .first()
    )
    if open_id is None or blocking_invoices(person=person, today=today).exists():
        return None
    with transaction.atomic():
        downgrade = (
            ProgrammeDowngrade.objects.select_for_update(of=("self",))
            .select_related("person__contract")
            .get(pk=open_id)
        )
        if downgrade.status != D.ACTIVE:
            return None
        if blocking_invoices(person=downgrade.person, today=today).exists():
            return None
        downgrade.settled_at = clock.now()
        if downgrade.person.contract.auto_restore:
            downgrade.save(update_fields=["settled_at"])
            return _restore(downgrade, mode=ProgrammeDowngrade.RestoreMode.AUTO, by=None)
        downgrade.status = D.AWAITING_OPERATOR
        downgrade.save(update_fields=["settled_at", "status"])
        audit_log(action="programme.restore_queued", target=downgrade.person)
        _notify("restore_pending", downgrade, key=f"restore-pending:{downgrade.pk}")
    return downgrade


def downgrade_restore(*, downgrade_id: int, by) -> ProgrammeDowngrade:
    """An operator restores the programme of a person whose debt is paid («Восстановить»).
    Repeating it is a no-op; a person who still owes is refused."""
    with transaction.atomic():
        downgrade = (
            ProgrammeDowngrade.objects.select_for_update(of=("self",))
            .select_related("person__contract")
            .get(pk=downgrade_id)
        )
        if downgrade.status == D.RESTORED:
            return downgrade
        if blocking_invoices(person=downgrade.person, today=clock.moscow_today()).exists():
            raise DebtError(
                f"{downgrade.person.full_name}: есть неоплаченные просроченные счета, "
                "программу восстановить нельзя"
            )
        if downgrade.settled_at is None:
            downgrade.settled_at = clock.now()
            downgrade.save(update_fields=["settled_at"])
        return _restore(downgrade, mode=ProgrammeDowngrade.RestoreMode.OPERATOR, by=by)


def _restore(downgrade: ProgrammeDowngrade, *, mode: str, by) -> ProgrammeDowngrade:
    """Inside a transaction holding the downgrade row."""
    person = InsuredPerson.objects.select_for_update().get(pk=downgrade.person_id)
    target = downgrade.from_program
    if target.contract_id != person.contract_id:
        # The person moved to another contract meanwhile: give him that contract's full one.
        target = Program.objects.get(contract_id=person.contract_id, kind=Program.Kind.FULL)
    program_changed = person.program_id == downgrade.to_program_id
    if program_changed:
        person.program = target
        person.save(update_fields=["program"])
    # else: an operator already changed the programme by hand; we only close the downgrade.
    downgrade.status = D.RESTORED
    downgrade.restored_at = clock.now()
    downgrade.restore_mode = mode
    downgrade.restored_by = by if getattr(by, "pk", None) else None
    downgrade.save(update_fields=["status", "restored_at", "restore_mode", "restored_by"])
    audit_log(
        action="programme.restore",
        actor=by,
        target=person,
        to_program=target.pk,
        mode=mode,
        program_changed=program_changed,
    )
    downgrade.person = person
    _notify("restore_full", downgrade, key=f"restore:{downgrade.pk}")
    return downgrade


def restore_settled(*, today: dt.date | None = None) -> int:
    """The periodic check: every open downgrade whose debt is paid. Returns how many changed.

    One query finds the candidates (no blocking invoice left), so the check costs nothing per
    person who still owes; each candidate is re-checked under its lock.
    """
    today = today or clock.moscow_today()
    corrections = (
        InvoiceCorrection.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    blocking = (
        Invoice.objects.filter(person_id=OuterRef("person_id"))
        .filter(Q(status=S.OVERDUE) | Q(status__in=[S.PENDING, S.DISPUTED], due_date__lt=today))
        .annotate(
            corrected=Coalesce(
                Subquery(corrections, output_field=MONEY_FIELD),
                Value(Decimal("0.00")),
                output_field=MONEY_FIELD,
            )
        )
        .filter(amount_due__gt=F("corrected"))
    )
    person_ids = (
        ProgrammeDowngrade.objects.filter(status=D.ACTIVE)
        .exclude(Exists(blocking))
        .values_list("person_id", flat=True)
    )
    people = InsuredPerson.objects.filter(pk__in=list(person_ids)).order_by("pk")
    return sum(1 for p in people if person_restore_if_settled(p, today=today) is not None)


def overdue_apply(*, today: dt.date | None = None) -> dict[str, int]:
    """`manage.py apply_overdue` and the nightly beat: mark overdue, downgrade, restore."""
    today = today or clock.moscow_today()
    newly_overdue = invoices_mark_overdue(today=today)
    already_downgraded = ProgrammeDowngrade.objects.filter(
        person_id=OuterRef("person_id"), restored_at__isnull=True
    )
    person_ids = (
        Invoice.objects.filter(status=S.OVERDUE)
        .exclude(Exists(already_downgraded))
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
    downgraded = [
        d for pid in list(person_ids) if (d := person_downgrade(person_id=pid, today=today))
    ]
    # An invoice that fell overdue for someone already on emergency care (or on a contract
    # without one) gets its own notice; a fresh downgrade notice already names its invoices.
    named = {n.strip() for d in downgraded for n in d.invoice_numbers.split(",")}
    noticed = 0
    for invoice in newly_overdue:
        if invoice.number in named or payable_amount(invoice) <= 0:
            continue
        invoice = Invoice.objects.select_related("person", "payer__user").get(pk=invoice.pk)
        contacts = person_contacts(invoice.payer)
        noticed += bool(
            notify(
                event="overdue_invoice",
                context=invoice_context(invoice),
                phone=contacts.phone,
                email=contacts.email,
                user_id=contacts.user_id,
                key=f"overdue:{invoice.pk}:{invoice.due_date.isoformat()}",
            )
        )
    restored = restore_settled(today=today)
    return {
        "overdue": len(newly_overdue),
        "downgraded": len(downgraded),
        "noticed": noticed,
        "restored_or_queued": restored,
    }


def _notify(event: str, downgrade: ProgrammeDowngrade, *, key: str, **extra) -> None:
    person = downgrade.person
    payer = person.sponsor if person.sponsor_id and not person.user_id else person
    contacts = person_contacts(payer)
    notify(
        event=event,
        context={
            "person_name": person.short_name,
            "full_name": person.full_name,
            "policy_number": person.policy_number,
            "from_program": downgrade.from_program.name,
            "to_program": downgrade.to_program.name,
            "desk_phone": person.contract.medical_desk_phone,
            "invoice_numbers": downgrade.invoice_numbers,
            "site_url": settings.SITE_URL,
            "insurer": settings.INSURER,
            **extra,
        },
        phone=contacts.phone,
        email=contacts.email,
        user_id=contacts.user_id,
        key=key,
    )
