"""Overdue invoices and the emergency-only programme (SPEC §3.6).

- An invoice unpaid after its due date becomes ПРОСРОЧЕН (a dispute pauses the clock:
  disputed invoices are ОСПАРИВАЕТСЯ and have `due_paused_at`, so they are not touched).
- A person with a ПРОСРОЧЕН invoice is moved to his contract's emergency-only programme; the
  previous programme is kept in a ProgrammeDowngrade row (at most one open per person).
- Once none of the person's invoices is past due and unpaid, the programme is restored at once
  when the contract says auto-restore, otherwise the downgrade waits for an operator.

Every step locks its rows, re-checks the state under the lock and writes an audit entry;
running any of it twice changes nothing the second time.

The nightly jobs are set-based: an invoice run gives thousands of invoices one due date, so
they fall overdue (and are paid) the same night. Each step works on batches of BATCH rows:
lock the batch in id order, re-check it with one query, change it with one UPDATE per target
value, write the audit trail with one bulk_create and the notices with one `notify_many`
(sent-once keys make a rerun queue nothing). The one-person entry points
(`person_downgrade`, `person_restore_if_settled`, `downgrade_restore`) run the same code on a
batch of one.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from audit.models import AuditEntry
from dms_portal import clock
from invoices.models import Invoice
from invoices.services.status import payable_amount, with_payable
from notifications.services import Notice, notify_many
from policies.models import Contract, InsuredPerson, Program

from ..errors import DebtError
from ..models import ProgrammeDowngrade
from .common import audit_entry, corrections_total, invoice_context, person_contacts

log = logging.getLogger(__name__)

S = Invoice.Status
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


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _falls_overdue(today: dt.date) -> Q:
    """НОВЫЙ, past due, clock not paused by a dispute. Repeated in the UPDATE's WHERE: a payment
    that got to the row first (ОЖИДАЕТ ОПЛАТЫ / ОПЛАЧЕН) is never overwritten."""
    return Q(status=S.NEW, due_date__lt=today, due_paused_at__isnull=True)


def invoices_mark_overdue(*, today: dt.date) -> list[Invoice]:
    """НОВЫЙ past its due date (and not paused by a dispute) becomes ПРОСРОЧЕН.

    Per batch of BATCH rows, in one transaction: lock the ids (SKIP LOCKED: a row a payment
    holds right now is left to the payment and looked at again by the next run, instead of
    making the nightly job wait), one UPDATE whose WHERE re-checks the state, read back the
    changed rows, one bulk_create of their audit entries. Keyset paging (id > last)
    guarantees progress. Returns the invoices this call changed (number, due date, person
    and payer ids only).
    """
    changed: list[Invoice] = []
    last_pk = 0
    while True:
        with transaction.atomic():
            ids = list(
                Invoice.objects.select_for_update(skip_locked=True)
                .filter(_falls_overdue(today), pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
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
            AuditEntry.objects.bulk_create(
                [
                    audit_entry(action="invoice.overdue", target=i, due_date=i.due_date)
                    for i in batch
                ]
            )
        changed.extend(batch)


def people_downgrade(*, person_ids: list[int], today: dt.date) -> list[ProgrammeDowngrade]:
    """Move the people (one batch) who have ПРОСРОЧЕН invoices to their contract's
    emergency-only programme. Skipped, as before: no overdue invoice left, already downgraded,
    not on a full programme, a contract without an emergency programme. Returns the new
    downgrades; each carries `overdue_invoices` (the invoices it names)."""
    with transaction.atomic():
        # Ordered locks: two runs (or a run and a restore) never wait on each other in a cycle.
        people = list(
            InsuredPerson.objects.select_for_update(of=("self",))
            .select_related("user", "sponsor__user")
            .filter(pk__in=person_ids)
            .order_by("pk")
        )
        if not people:
            return []
        ids = [p.pk for p in people]
        # A batch shares a handful of programmes and contracts: one object each, not one per
        # person (select_related would build thousands of identical ones).
        programs = Program.objects.in_bulk({p.program_id for p in people})
        contracts = Contract.objects.in_bulk({p.contract_id for p in people})
        for person in people:
            person.program = programs[person.program_id]
            person.contract = contracts[person.contract_id]
        overdue: dict[int, list[Invoice]] = defaultdict(list)
        owing = (
            Invoice.objects.filter(person_id__in=ids, status=S.OVERDUE)
            .annotate(corrections_total=corrections_total())
            .filter(amount_due__gt=F("corrections_total"))
            .order_by("person_id", "pk")
        )
        for invoice in owing:
            overdue[invoice.person_id].append(invoice)
        already = set(
            ProgrammeDowngrade.objects.filter(
                person_id__in=ids, restored_at__isnull=True
            ).values_list("person_id", flat=True)
        )
        emergency: dict[int, Program] = {}
        for program in Program.objects.filter(
            contract_id__in=contracts, kind=Program.Kind.EMERGENCY
        ).order_by("pk"):
            emergency.setdefault(program.contract_id, program)
        now = clock.now()
        downgrades: list[ProgrammeDowngrade] = []
        for person in people:
            invoices = overdue.get(person.pk)
            if not invoices or person.pk in already or person.program.kind != Program.Kind.FULL:
                continue
            to_program = emergency.get(person.contract_id)
            if to_program is None:
                log.error(
                    "contract %s has no emergency programme: %s stays", person.contract, person
                )
                continue
            downgrade = ProgrammeDowngrade(
                person=person,
                from_program=person.program,
                to_program=to_program,
                at=now,
                invoice_numbers=", ".join(i.number for i in invoices)[:500],
            )
            downgrade.overdue_invoices = invoices
            downgrades.append(downgrade)
        if not downgrades:
            return []
        ProgrammeDowngrade.objects.bulk_create(downgrades)
        moves: dict[int, list[int]] = defaultdict(list)
        for downgrade in downgrades:
            moves[downgrade.to_program_id].append(downgrade.person_id)
            downgrade.person.program = downgrade.to_program
        for program_id, moved in moves.items():
            InsuredPerson.objects.filter(pk__in=moved).update(program_id=program_id)
        AuditEntry.objects.bulk_create(
            [
                audit_entry(
                    action="programme.downgrade",
                    target=d.person,
                    from_program=d.from_program_id,
                    to_program=d.to_program_id,
                    invoices=d.invoice_numbers,
                )
                for d in downgrades
            ]
        )
        notify_many(
            _notice(
                "downgrade_emergency",
                d,
                key=f"downgrade:{d.pk}",
                invoices=d.overdue_invoices,
                total=sum((payable_amount(i) for i in d.overdue_invoices), Decimal("0.00")),
            )
            for d in downgrades
        )
    return downgrades


def person_downgrade(*, person_id: int, today: dt.date) -> ProgrammeDowngrade | None:
    """Move a person with overdue invoices to the emergency-only programme; None when there is
    nothing to do (no overdue invoice, already downgraded, no full programme to leave)."""
    downgrades = people_downgrade(person_ids=[person_id], today=today)
    return downgrades[0] if downgrades else None


def _blocking_anyone(today: dt.date):
    """`blocking_invoices` for everybody at once, without GROUP BY (corrections summed in a
    subquery), so it can be filtered by a list of people or used as a subquery."""
    return (
        Invoice.objects.filter(
            Q(status=S.OVERDUE) | Q(status__in=[S.PENDING, S.DISPUTED], due_date__lt=today)
        )
        .annotate(corrections_total=corrections_total())
        .filter(amount_due__gt=F("corrections_total"))
    )


def downgrades_settle(*, downgrade_ids: list[int], today: dt.date) -> list[ProgrammeDowngrade]:
    """For a batch of open downgrades whose debt may be paid: lock them (id order), re-check
    under the lock that nothing blocks any more, then restore at once (auto-restore contracts)
    or queue for an operator. Returns the downgrades changed."""
    with transaction.atomic():
        downgrades = list(
            ProgrammeDowngrade.objects.select_for_update(of=("self",))
            .select_related("person__contract", "from_program", "to_program")
            .filter(pk__in=downgrade_ids, status=D.ACTIVE)
            .order_by("pk")
        )
        if not downgrades:
            return []
        blocked = set(
            _blocking_anyone(today)
            .filter(person_id__in=[d.person_id for d in downgrades])
            .values_list("person_id", flat=True)
        )
        settled = [d for d in downgrades if d.person_id not in blocked]
        now = clock.now()
        for downgrade in settled:
            downgrade.settled_at = now
        auto = [d for d in settled if d.person.contract.auto_restore]
        manual = [d for d in settled if not d.person.contract.auto_restore]
        if manual:
            ProgrammeDowngrade.objects.filter(
                pk__in=[d.pk for d in manual], status=D.ACTIVE
            ).update(status=D.AWAITING_OPERATOR, settled_at=now)
            people = _lock_people([d.person_id for d in manual])
            for downgrade in manual:
                downgrade.status = D.AWAITING_OPERATOR
                downgrade.person = people[downgrade.person_id]
            AuditEntry.objects.bulk_create(
                [audit_entry(action="programme.restore_queued", target=d.person) for d in manual]
            )
            notify_many(
                _notice("restore_pending", d, key=f"restore-pending:{d.pk}") for d in manual
            )
        if auto:
            _restore_many(auto, mode=ProgrammeDowngrade.RestoreMode.AUTO, by=None, now=now)
    return settled


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
    settled = downgrades_settle(downgrade_ids=[open_id], today=today)
    return settled[0] if settled else None


def downgrade_restore(*, downgrade_id: int, by) -> ProgrammeDowngrade:
    """An operator restores the programme of a person whose debt is paid («Восстановить»).
    Repeating it is a no-op; a person who still owes is refused."""
    with transaction.atomic():
        downgrade = (
            ProgrammeDowngrade.objects.select_for_update(of=("self",))
            .select_related("person__contract", "from_program", "to_program")
            .get(pk=downgrade_id)
        )
        if downgrade.status == D.RESTORED:
            return downgrade
        if blocking_invoices(person=downgrade.person, today=clock.moscow_today()).exists():
            raise DebtError(
                f"{downgrade.person.full_name}: есть неоплаченные просроченные счета, "
                "программу восстановить нельзя"
            )
        now = clock.now()
        downgrade.settled_at = downgrade.settled_at or now
        return _restore_many(
            [downgrade], mode=ProgrammeDowngrade.RestoreMode.OPERATOR, by=by, now=now
        )[0]


def _lock_people(person_ids: list[int]) -> dict[int, InsuredPerson]:
    return {
        p.pk: p
        for p in InsuredPerson.objects.select_for_update(of=("self",))
        .select_related("contract", "user", "sponsor__user")
        .filter(pk__in=person_ids)
        .order_by("pk")
    }


def _restore_many(
    downgrades: list[ProgrammeDowngrade], *, mode: str, by, now: dt.datetime
) -> list[ProgrammeDowngrade]:
    """Inside a transaction holding the downgrade rows: give each person his full programme
    back, close the downgrades, audit, notify."""
    people = _lock_people([d.person_id for d in downgrades])
    # A person moved to another contract meanwhile gets that contract's full programme.
    moved_contracts = {
        people[d.person_id].contract_id
        for d in downgrades
        if d.from_program.contract_id != people[d.person_id].contract_id
    }
    full: dict[int, Program] = {}
    for contract_id in moved_contracts:
        full[contract_id] = Program.objects.get(contract_id=contract_id, kind=Program.Kind.FULL)
    restored_by = by if getattr(by, "pk", None) else None
    moves: dict[int, list[int]] = defaultdict(list)
    entries = []
    for downgrade in downgrades:
        person = people[downgrade.person_id]
        target = downgrade.from_program
        if target.contract_id != person.contract_id:
            target = full[person.contract_id]
        # Otherwise an operator already changed the programme by hand: only close the downgrade.
        program_changed = person.program_id == downgrade.to_program_id
        if program_changed:
            moves[target.pk].append(person.pk)
            person.program = target
        downgrade.person = person
        downgrade.status = D.RESTORED
        downgrade.restored_at = now
        downgrade.restore_mode = mode
        downgrade.restored_by = restored_by
        entries.append(
            audit_entry(
                action="programme.restore",
                actor=by,
                target=person,
                to_program=target.pk,
                mode=mode,
                program_changed=program_changed,
            )
        )
    for program_id, person_ids in moves.items():
        InsuredPerson.objects.filter(pk__in=person_ids).update(program_id=program_id)
    ProgrammeDowngrade.objects.filter(pk__in=[d.pk for d in downgrades]).update(
        status=D.RESTORED,
        settled_at=Coalesce(F("settled_at"), Value(now)),
        restored_at=now,
        restore_mode=mode,
        restored_by=restored_by,
    )
    AuditEntry.objects.bulk_create(entries)
    notify_many(_notice("restore_full", d, key=f"restore:{d.pk}") for d in downgrades)
    return downgrades


def restore_settled(*, today: dt.date | None = None) -> int:
    """The periodic check: every open downgrade whose debt is paid. Returns how many changed.

    One query finds the candidates (no blocking invoice left), so the check costs nothing per
    person who still owes; the candidates are settled in batches, re-checked under their locks.
    """
    today = today or clock.moscow_today()
    # NOT IN (uncorrelated subquery), not NOT EXISTS (correlated): PostgreSQL hashes the
    # debtors' ids once. The correlated form was planned as a nested loop over all invoices
    # per downgrade right after the night's bulk writes (stale statistics): 44 s at 50,000.
    debtors = _blocking_anyone(today).values("person_id")
    candidates = list(
        ProgrammeDowngrade.objects.filter(status=D.ACTIVE)
        .exclude(person_id__in=debtors)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(
        len(downgrades_settle(downgrade_ids=chunk, today=today)) for chunk in _chunks(candidates)
    )


def overdue_apply(*, today: dt.date | None = None) -> dict[str, int]:
    """`manage.py apply_overdue` and the nightly beat: mark overdue, downgrade, restore."""
    today = today or clock.moscow_today()
    newly_overdue = invoices_mark_overdue(today=today)
    already_downgraded = ProgrammeDowngrade.objects.filter(
        person_id=OuterRef("person_id"), restored_at__isnull=True
    )
    person_ids = list(
        Invoice.objects.filter(status=S.OVERDUE)
        .exclude(Exists(already_downgraded))
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
    # Only counts and ids are kept across batches: at 100,000 people the downgrades with their
    # people and invoices would hold hundreds of megabytes in the worker.
    downgraded = 0
    named: set[int] = set()
    for chunk in _chunks(person_ids):
        batch = people_downgrade(person_ids=chunk, today=today)
        downgraded += len(batch)
        # An invoice that fell overdue for someone already on emergency care (or on a contract
        # without one) gets its own notice; a fresh downgrade notice already names its invoices.
        named.update(i.pk for d in batch for i in d.overdue_invoices)
    noticed = 0
    for chunk in _chunks([i.pk for i in newly_overdue if i.pk not in named]):
        notices = []
        invoices = (
            Invoice.objects.filter(pk__in=chunk)
            .annotate(corrections_total=corrections_total())
            .select_related("person", "payer__user")
            .order_by("pk")
        )
        for invoice in invoices:
            if payable_amount(invoice) <= 0:
                continue
            contacts = person_contacts(invoice.payer)
            notices.append(
                Notice(
                    event="overdue_invoice",
                    context=invoice_context(invoice),
                    phone=contacts.phone,
                    email=contacts.email,
                    user_id=contacts.user_id,
                    key=f"overdue:{invoice.pk}:{invoice.due_date.isoformat()}",
                )
            )
        # One invoice counts once, whether its notice went by SMS, e-mail or both.
        noticed += len({m.dedupe_key.rsplit(":", 2)[0] for m in notify_many(notices)})
    restored = restore_settled(today=today)
    return {
        "overdue": len(newly_overdue),
        "downgraded": downgraded,
        "noticed": noticed,
        "restored_or_queued": restored,
    }


def _notice(event: str, downgrade: ProgrammeDowngrade, *, key: str, **extra) -> Notice:
    person = downgrade.person
    payer = person.sponsor if person.sponsor_id and not person.user_id else person
    contacts = person_contacts(payer)
    return Notice(
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
