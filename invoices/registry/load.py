"""Step «load», on any database: checked rows in batches of BATCH, matched to the roster with a
few queries a batch and loaded with their problems — all inside ONE transaction, so a crash
leaves the file's good rows or none (SQLite for development; tests on PostgreSQL too).
Also the pieces both load paths share: the counts, the clinics, the end of an import.

Duplicates: a (clinic, line id) already loaded, billed or dismissed, or seen earlier in the same
file among valid rows. A held line is not a duplicate: the same line sent again is matched
afresh and may load (the held ServiceLine is updated in place, keeping the unique key).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from dms_portal import clock

from ..models import Clinic, RegistryProblem, ServiceLine, ServiceRegistry
from .check import ParsedRow, raw_dict, validate_row
from .linecheck import line_checks_apply
from .match import HOLD, match_line, roster_for

BATCH = 1_000
R = ServiceRegistry.Status
L = ServiceLine.Status


@dataclass
class ImportCounts:
    loaded: int = 0
    held: int = 0
    rejected: int = 0
    duplicates: int = 0

    def line(self) -> str:
        return (
            f"loaded={self.loaded} held={self.held} "
            f"rejected={self.rejected} duplicates={self.duplicates}"
        )


def import_finish(registry_id: int, counts: ImportCounts, rows_done: int) -> None:
    """Inside the import's transaction, once every line is in: the line checks, the counts."""
    line_checks_apply(registry_id=registry_id)
    ServiceRegistry.objects.filter(pk=registry_id).update(
        status=R.DONE,
        loaded=counts.loaded,
        held=counts.held,
        rejected=counts.rejected,
        duplicates=counts.duplicates,
        rows_done=rows_done,
        rows_total=rows_done,
        finished_at=clock.now(),
    )


def locked_unfinished(registry_id: int) -> bool:
    """Inside the final transaction: False when another worker already finished this file."""
    registry = ServiceRegistry.objects.select_for_update().get(pk=registry_id)
    return registry.status == R.RUNNING


def claimed_for_load(registry_id: int) -> bool:
    """The PostgreSQL pipeline's version of locked_unfinished: a transaction-level advisory
    lock instead of the row lock, because the worker connection keeps writing the registry's
    progress (rows_done) while the load's transaction is open."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_NAMESPACE, registry_id])
    return ServiceRegistry.objects.filter(pk=registry_id, status=R.RUNNING).exists()


ADVISORY_NAMESPACE = 0x5265_6769  # "Regi": pg_advisory_xact_lock(namespace, registry id)


def clinics_ensure(names: dict[str, str]) -> dict[str, int]:
    """Clinic code → id, creating unknown clinics with the name of their first row."""
    existing = dict(Clinic.objects.filter(code__in=list(names)).values_list("code", "id"))
    missing = [Clinic(code=code, name=name) for code, name in names.items() if code not in existing]
    if missing:
        Clinic.objects.bulk_create(missing, ignore_conflicts=True)
        existing = dict(Clinic.objects.filter(code__in=list(names)).values_list("code", "id"))
    return existing


def held_raw(row: ParsedRow) -> dict:
    return {
        "registry_no": row.registry_no,
        "clinic_code": row.clinic_code,
        "clinic_name": row.clinic_name,
        "line_id": row.line_id,
        "policy_no": row.policy_no,
        "last_name": row.last_name,
        "first_name": row.first_name,
        "patronymic": row.patronymic,
        "birth_date": row.birth_date.strftime("%d.%m.%Y"),
        "service_date": row.service_date.strftime("%d.%m.%Y"),
        "service_code": row.service_code,
        "service_name": row.service_name,
        "quantity": str(row.quantity),
        "unit_price": f"{row.unit_price:.2f}",
        "amount": f"{row.amount:.2f}",
    }


def batched_import(registry_id: int, source) -> None:
    today = clock.moscow_today()
    counts = ImportCounts()
    with transaction.atomic():
        if not locked_unfinished(registry_id):
            return
        seen: set[tuple[int, str]] = set()
        problems: list[RegistryProblem] = []
        batch: list[ParsedRow] = []
        rows_done = 0
        for number, values in source.rows():
            rows_done += 1
            parsed, row_problems = validate_row(number, values, today)
            if row_problems:
                counts.rejected += 1
                raw = raw_dict(values)
                problems.extend(
                    RegistryProblem(
                        registry_id=registry_id,
                        row_number=number,
                        column=column,
                        reason=reason,
                        kind=RegistryProblem.Kind.REJECTED,
                        raw=raw,
                    )
                    for column, reason in row_problems
                )
            else:
                batch.append(parsed)
            if len(batch) >= BATCH:
                _batch_load(registry_id, batch, seen, counts, problems)
                batch = []
            if len(problems) >= BATCH:
                RegistryProblem.objects.bulk_create(problems)
                problems = []
        _batch_load(registry_id, batch, seen, counts, problems)
        RegistryProblem.objects.bulk_create(problems)
        import_finish(registry_id, counts, rows_done)


def _batch_load(registry_id, batch, seen, counts, problems) -> None:
    if not batch:
        return
    clinic_names: dict[str, str] = {}
    for row in batch:
        clinic_names.setdefault(row.clinic_code, row.clinic_name)
    clinics = clinics_ensure(clinic_names)
    existing = {
        (clinic_id, line_id): (pk, status)
        for pk, clinic_id, line_id, status in ServiceLine.objects.filter(
            clinic_id__in=set(clinics.values()), line_id__in={r.line_id for r in batch}
        ).values_list("pk", "clinic_id", "line_id", "status")
    }
    roster = roster_for({r.policy_no for r in batch})
    new_lines: list[ServiceLine] = []
    updated: list[ServiceLine] = []
    for row in batch:
        clinic_id = clinics[row.clinic_code]
        key = (clinic_id, row.line_id)
        if key in seen:
            counts.duplicates += 1
            continue
        seen.add(key)
        found = existing.get(key)
        if found and found[1] != L.HELD:
            counts.duplicates += 1
            continue
        person_id, hold = match_line(
            last_name=row.last_name,
            first_name=row.first_name,
            birth_date=row.birth_date,
            service_date=row.service_date,
            entry=roster.get(row.policy_no),
        )
        line = ServiceLine(
            pk=found[0] if found else None,
            clinic_id=clinic_id,
            line_id=row.line_id,
            registry_id=registry_id,
            registry_no=row.registry_no,
            row_number=row.row_number,
            person_id=person_id,
            policy_no=row.policy_no,
            last_name=row.last_name,
            first_name=row.first_name,
            patronymic=row.patronymic,
            birth_date=row.birth_date,
            service_date=row.service_date,
            service_code=row.service_code,
            service_name=row.service_name,
            quantity=row.quantity,
            unit_price=row.unit_price,
            amount=row.amount,
            status=L.HELD if hold else L.LOADED,
            hold_reason=HOLD[hold][1] if hold else "",
        )
        (updated if found else new_lines).append(line)
        if hold:
            counts.held += 1
            problems.append(
                RegistryProblem(
                    registry_id=registry_id,
                    row_number=row.row_number,
                    column=HOLD[hold][0],
                    reason=HOLD[hold][1],
                    kind=RegistryProblem.Kind.HELD,
                    raw=held_raw(row),
                )
            )
        else:
            counts.loaded += 1
    ServiceLine.objects.bulk_create(new_lines)
    if updated:
        ServiceLine.objects.bulk_update(updated, fields=LINE_FIELDS)


LINE_FIELDS = [
    "registry",
    "registry_no",
    "row_number",
    "person",
    "policy_no",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "service_date",
    "service_code",
    "service_name",
    "quantity",
    "unit_price",
    "amount",
    "status",
    "hold_reason",
]
