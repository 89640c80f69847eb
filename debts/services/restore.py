"""Restoring the programme once the debt is paid (SPEC §3.6): at once on auto-restore
contracts, otherwise queued for an operator («Восстановить»). See `.overdue` for the rules
every step follows (ordered locks, re-check under the lock, audit, sent-once notices)."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from audit.services import audit_entries_write, audit_entry
from dms_portal import clock
from notifications.services import notify_many
from policies.models import InsuredPerson, Program
from policies.services.programme import programmes_assign

from ..errors import DebtError
from ..models import ProgrammeDowngrade
from .common import BATCH, blocking_anyone, blocking_invoices, chunks
from .notices import downgrade_notice

D = ProgrammeDowngrade.Status


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
            blocking_anyone(today)
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
            audit_entries_write(
                [audit_entry(action="programme.restore_queued", target=d.person) for d in manual]
            )
            notify_many(
                downgrade_notice("restore_pending", d, key=f"restore-pending:{d.pk}")
                for d in manual
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
    programmes_assign(moves=moves)
    ProgrammeDowngrade.objects.filter(pk__in=[d.pk for d in downgrades]).update(
        status=D.RESTORED,
        settled_at=Coalesce(F("settled_at"), Value(now)),
        restored_at=now,
        restore_mode=mode,
        restored_by=restored_by,
    )
    audit_entries_write(entries)
    notify_many(downgrade_notice("restore_full", d, key=f"restore:{d.pk}") for d in downgrades)
    return downgrades


def restore_settled(*, today: dt.date | None = None, batch_size: int = BATCH) -> int:
    """The periodic check: every open downgrade whose debt is paid. Returns how many changed.

    One query finds the candidates (no blocking invoice left), so the check costs nothing per
    person who still owes; the candidates are settled in batches, re-checked under their locks.
    """
    today = today or clock.moscow_today()
    # NOT IN (uncorrelated subquery), not NOT EXISTS (correlated): PostgreSQL hashes the
    # debtors' ids once. The correlated form was planned as a nested loop over all invoices
    # per downgrade right after the night's bulk writes (stale statistics): 44 s at 50,000.
    debtors = blocking_anyone(today).values("person_id")
    candidates = list(
        ProgrammeDowngrade.objects.filter(status=D.ACTIVE)
        .exclude(person_id__in=debtors)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(
        len(downgrades_settle(downgrade_ids=chunk, today=today))
        for chunk in chunks(candidates, batch_size)
    )
