"""Loading an employer's roster (список застрахованных) from XLSX or CSV.

Format (policies/ROSTER_FORMAT.md): the first row is the header; columns are matched by name,
Russian or English, in any order, case-insensitive. Every row is validated; good rows are
loaded, bad rows are reported with row number, column and reason and never vanish silently.
The policy number is the key: loading the same file again changes nothing, a changed row updates
the person (never his account link). Relatives name their employee by his policy number, which
may be in the same file (in any order) or already in the roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
from django.db import transaction

from audit.services import audit_log

from ..models import Contract, InsuredPerson, Program, RosterImport, normalize_name
from .roster_read import COLUMNS, LABEL, RosterFileError, cell_text, read_roster

__all__ = ["RosterFileError", "RowError", "read_roster", "roster_import"]

CATEGORY_WORDS = {
    "сотрудник": InsuredPerson.Category.EMPLOYEE,
    "employee": InsuredPerson.Category.EMPLOYEE,
    "родственник": InsuredPerson.Category.RELATIVE,
    "relative": InsuredPerson.Category.RELATIVE,
}
PROGRAM_WORDS = {
    "полная": Program.Kind.FULL,
    "полная программа": Program.Kind.FULL,
    "full": Program.Kind.FULL,
    "экстренная": Program.Kind.EMERGENCY,
    "экстренная помощь": Program.Kind.EMERGENCY,
    "экстренная помощь через медицинский пульт": Program.Kind.EMERGENCY,
    "emergency": Program.Kind.EMERGENCY,
}
STATUS_WORDS = {
    **{normalize_name(label): value for value, label in InsuredPerson.Status.choices},
    **{value: value for value in InsuredPerson.Status.values},
}
# Fields a roster row owns: comparing them tells "updated" from "unchanged".
ROSTER_FIELDS = (
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "employee_number",
    "category",
    "program_id",
    "status",
    "policy_start",
    "policy_end",
    "phone",
)
BATCH = 2000


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class _Row:
    number: int
    values: dict
    sponsor_policy: str = ""
    errors: list[RowError] = field(default_factory=list)


# --- validating ----------------------------------------------------------------------------


def _parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"дата «{text}» не существует или не в формате ДД.ММ.ГГГГ")


def _parse_phone(text: str) -> str:
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(f"телефон «{text}» не распознан")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _validate(number: int, raw: dict, contract: Contract, programs: dict[str, Program]) -> _Row:
    row = _Row(number=number, values={})
    text = {name: cell_text(raw.get(name)) for name in COLUMNS}
    _check_names(row, text)
    _check_dates(row, raw, text, contract)
    _check_category(row, text)
    _check_program_and_status(row, text, contract, programs)
    row.values["phone"] = ""
    if text["phone"]:
        try:
            row.values["phone"] = _parse_phone(text["phone"])
        except ValueError as exc:
            _error(row, "phone", str(exc))
    return row


def _error(row: _Row, column: str, reason: str) -> None:
    row.errors.append(RowError(row.number, LABEL[column], reason))


def _check_names(row: _Row, text: dict) -> None:
    for name in ("last_name", "first_name", "policy_number"):
        if not text[name]:
            _error(row, name, "не заполнено")
        elif len(text[name]) > InsuredPerson._meta.get_field(name).max_length:
            _error(row, name, "слишком длинное значение")
        else:
            row.values[name] = text[name]
    row.values["patronymic"] = text["patronymic"][:100]
    row.values["employee_number"] = text["employee_number"][:32]


def _check_dates(row: _Row, raw: dict, text: dict, contract: Contract) -> None:
    values = row.values
    for name, default in (
        ("birth_date", None),
        ("policy_start", contract.starts_on),
        ("policy_end", contract.ends_on),
    ):
        if not text[name] and raw.get(name) in (None, ""):
            if default is None:
                _error(row, name, "не заполнено")
            else:
                values[name] = default
            continue
        try:
            values[name] = _parse_date(raw.get(name))
        except ValueError as exc:
            _error(row, name, str(exc))
    start, end = values.get("policy_start"), values.get("policy_end")
    if start and end and start > end:
        _error(row, "policy_end", "окончание полиса раньше его начала")
    birth = values.get("birth_date")
    if birth and start and birth > start:
        _error(row, "birth_date", "дата рождения позже начала полиса")


def _check_category(row: _Row, text: dict) -> None:
    category = CATEGORY_WORDS.get(normalize_name(text["category"]))
    if category is None:
        _error(row, "category", "ожидается «Сотрудник» или «Родственник»")
    else:
        row.values["category"] = category
    row.sponsor_policy = text["sponsor_policy"]
    if category == InsuredPerson.Category.RELATIVE and not row.sponsor_policy:
        _error(row, "sponsor_policy", "для родственника укажите номер полиса сотрудника")
    if category == InsuredPerson.Category.EMPLOYEE and row.sponsor_policy:
        _error(row, "sponsor_policy", "у сотрудника не бывает полиса сотрудника")
    if row.sponsor_policy and row.sponsor_policy == text["policy_number"]:
        _error(row, "sponsor_policy", "совпадает с номером полиса самого застрахованного")


def _check_program_and_status(
    row: _Row, text: dict, contract: Contract, programs: dict[str, Program]
) -> None:
    kind = PROGRAM_WORDS.get(normalize_name(text["program"]) or "полная")
    if kind is None:
        _error(row, "program", "ожидается «Полная» или «Экстренная»")
    elif kind not in programs:
        _error(row, "program", f"в договоре {contract.number} нет такой программы")
    else:
        row.values["program_id"] = programs[kind].pk
    status = STATUS_WORDS.get(normalize_name(text["status"]) or "действует")
    if status is None:
        _error(row, "status", "ожидается «Действует», «Приостановлен» или «Прекращён»")
    else:
        row.values["status"] = status


# --- loading -------------------------------------------------------------------------------


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def roster_import(*, contract: Contract, data: bytes, file_name: str, by=None) -> RosterImport:
    """Validate and load a roster file for `contract`; returns the saved RosterImport report.

    Raises RosterFileError (and saves nothing) when the file cannot be read at all.
    """
    programs = {p.kind: p for p in contract.programs.all()}
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for number, raw in read_roster(data, file_name):
        row = _validate(number, raw, contract, programs)
        policy = row.values.get("policy_number")
        if policy and policy in seen:
            row.errors.append(
                RowError(number, LABEL["policy_number"], f"повторяет строку {seen[policy]}")
            )
        elif policy:
            seen[policy] = number
        rows.append(row)

    with transaction.atomic():
        report = _load(contract=contract, rows=rows)
        report.file_name = file_name[:255]
        report.uploaded_by = by if getattr(by, "pk", None) else None
        report.save()
        audit_log(
            action="roster.import",
            actor=by,
            target=report,
            contract=contract.number,
            file_name=file_name,
            created=report.created,
            updated=report.updated,
            rejected=report.rejected,
        )
    return report


def _load(*, contract: Contract, rows: list[_Row]) -> RosterImport:
    policies = [r.values["policy_number"] for r in rows if not r.errors]
    sponsor_policies = {r.sponsor_policy for r in rows if r.sponsor_policy}
    existing: dict[str, InsuredPerson] = {}
    for chunk in _chunks(sorted(set(policies) | sponsor_policies), BATCH):
        for person in InsuredPerson.objects.filter(policy_number__in=chunk):
            existing[person.policy_number] = person

    for row in rows:
        if row.errors:
            continue
        person = existing.get(row.values["policy_number"])
        if person is not None and person.contract_id != contract.pk:
            row.errors.append(
                RowError(
                    row.number,
                    LABEL["policy_number"],
                    "полис уже числится по другому договору",
                )
            )

    # Employees first, so that relatives in the same file can point at them.
    good_rows = {r.values["policy_number"]: r for r in rows if not r.errors}
    employees = [r for r in good_rows.values() if r.values["category"] == "employee"]
    relatives = [r for r in good_rows.values() if r.values["category"] == "relative"]
    report = RosterImport(contract=contract, rows_total=len(rows))

    _save_people(contract, employees, existing, sponsors={}, report=report)
    rejected_at: dict[str, int] = {}
    for row in rows:
        if row.errors and row.values.get("policy_number"):
            rejected_at.setdefault(row.values["policy_number"], row.number)
    sponsors: dict[str, int] = {}
    for row in relatives:
        sponsor = existing.get(row.sponsor_policy)
        if sponsor is None:
            reason = (
                f"сотрудник с полисом {row.sponsor_policy} не загружен (ошибка в строке "
                f"{rejected_at[row.sponsor_policy]})"
                if row.sponsor_policy in rejected_at
                else f"сотрудник с полисом {row.sponsor_policy} не найден"
            )
            row.errors.append(RowError(row.number, LABEL["sponsor_policy"], reason))
        elif sponsor.category != InsuredPerson.Category.EMPLOYEE:
            row.errors.append(
                RowError(
                    row.number,
                    LABEL["sponsor_policy"],
                    f"полис {row.sponsor_policy} принадлежит не сотруднику",
                )
            )
        else:
            sponsors[row.values["policy_number"]] = sponsor.pk
    _save_people(
        contract,
        [r for r in relatives if not r.errors],
        existing,
        sponsors=sponsors,
        report=report,
    )

    errors = sorted((e for r in rows for e in r.errors), key=lambda e: e.row)
    report.errors = [e.as_dict() for e in errors]
    report.rejected = sum(1 for r in rows if r.errors)
    return report


def _save_people(
    contract: Contract,
    rows: list[_Row],
    existing: dict[str, InsuredPerson],
    *,
    sponsors: dict[str, int],
    report: RosterImport,
) -> None:
    to_create: list[InsuredPerson] = []
    to_update: list[InsuredPerson] = []
    for row in rows:
        values = {k: v for k, v in row.values.items() if k != "policy_number"}
        values["sponsor_id"] = sponsors.get(row.values["policy_number"])
        person = existing.get(row.values["policy_number"])
        if person is None:
            person = InsuredPerson(
                contract=contract, policy_number=row.values["policy_number"], **values
            )
            to_create.append(person)
        else:
            before = tuple(getattr(person, f) for f in (*ROSTER_FIELDS, "sponsor_id"))
            for key, value in values.items():
                setattr(person, key, value)
            if before == tuple(getattr(person, f) for f in (*ROSTER_FIELDS, "sponsor_id")):
                report.unchanged += 1
                continue
            to_update.append(person)
        # bulk_create/bulk_update skip save(), which keeps the matching copies of the names.
        person.last_name_norm = normalize_name(person.last_name)
        person.first_name_norm = normalize_name(person.first_name)
    for chunk in _chunks(to_create, BATCH):
        InsuredPerson.objects.bulk_create(chunk)
    for chunk in _chunks(to_update, BATCH):
        InsuredPerson.objects.bulk_update(
            chunk, [*ROSTER_FIELDS, "sponsor_id", "last_name_norm", "first_name_norm"]
        )
    if to_create and to_create[0].pk is None:
        # Backends that do not return ids from bulk_create: read them back for relatives.
        by_policy = dict(
            InsuredPerson.objects.filter(
                policy_number__in=[p.policy_number for p in to_create]
            ).values_list("policy_number", "pk")
        )
        for person in to_create:
            person.pk = by_policy[person.policy_number]
    for person in (*to_create, *to_update):
        existing[person.policy_number] = person
    report.created += len(to_create)
    report.updated += len(to_update)
