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
value, write the audit trail with one bulk write and the notices with one `notify_many`
(sent-once keys make a rerun queue nothing). The one-person entry points
(`person_downgrade`, `person_restore_if_settled`, `downgrade_restore`) run the same code on a
batch of one.

debts changes only its own rows (ProgrammeDowngrade): invoice statuses go through
`invoices.services.status`, programmes through `policies.services.programme`, the trail
through `audit.services`. The restore side is in `.restore`, the notices in `.notices`.
"""

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef

from audit.services import audit_entries_write, audit_entry
from dms_portal import clock
from invoices.models import Invoice
from invoices.services.status import invoices_mark_overdue
from notifications.services import Notice, notify_many
from policies.models import Contract, InsuredPerson, Program
from policies.services.payer import contacts_of
from policies.services.programme import programmes_assign

from ..models import ProgrammeDowngrade
from .common import BATCH, blocking_invoices, chunks, invoice_context
from .notices import downgrade_notice
from .restore import (
    downgrade_restore,
    downgrades_settle,
    person_restore_if_settled,
    restore_settled,
)

log = logging.getLogger(__name__)

S = Invoice.Status
D = ProgrammeDowngrade.Status
ZERO = Decimal("0.00")

# The restore side lives in .restore; its entry points are importable from here too.
__all__ = [
    "blocking_invoices",
    "downgrade_restore",
    "downgrades_settle",
    "overdue_apply",
    "people_downgrade",
    "person_downgrade",
    "person_restore_if_settled",
    "restore_settled",
]


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
            .owing()
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
        programmes_assign(moves=moves)
        audit_entries_write(
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
            downgrade_notice(
                "downgrade_emergency",
                d,
                key=f"downgrade:{d.pk}",
                invoices=d.overdue_invoices,
                total=sum((i.payable_amount() for i in d.overdue_invoices), ZERO),
            )
            for d in downgrades
        )
    return downgrades


def person_downgrade(*, person_id: int, today: dt.date) -> ProgrammeDowngrade | None:
    """Move a person with overdue invoices to the emergency-only programme; None when there is
    nothing to do (no overdue invoice, already downgraded, no full programme to leave)."""
    downgrades = people_downgrade(person_ids=[person_id], today=today)
    return downgrades[0] if downgrades else None


def overdue_apply(*, today: dt.date | None = None) -> dict[str, int]:
    """`manage.py apply_overdue` and the nightly beat: mark overdue, downgrade, restore."""
    today = today or clock.moscow_today()
    newly_overdue = invoices_mark_overdue(today=today, batch_size=BATCH)
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
    for chunk in chunks(person_ids, BATCH):
        batch = people_downgrade(person_ids=chunk, today=today)
        downgraded += len(batch)
        # An invoice that fell overdue for someone already on emergency care (or on a contract
        # without one) gets its own notice; a fresh downgrade notice already names its invoices.
        named.update(i.pk for d in batch for i in d.overdue_invoices)
    noticed = 0
    for chunk in chunks([i.pk for i in newly_overdue if i.pk not in named], BATCH):
        notices = []
        invoices = (
            Invoice.objects.filter(pk__in=chunk)
            .owing()
            .select_related("person", "payer__user")
            .order_by("pk")
        )
        for invoice in invoices:
            contacts = contacts_of(invoice.payer)
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
    restored = restore_settled(today=today, batch_size=BATCH)
    return {
        "overdue": len(newly_overdue),
        "downgraded": downgraded,
        "noticed": noticed,
        "restored_or_queued": restored,
    }
