"""Writes of clinic reference data: loading a clinic file (CSV) made by the operator."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from policies.models import Program

from .models import Clinic

# Column → field; both the Russian headers of the file and the field names are accepted.
COLUMNS = {
    "код лпу": "code",
    "наименование лпу": "name",
    "адрес": "address",
    "телефоны": "phones",
    "услуги": "services",
    "широта": "latitude",
    "долгота": "longitude",
    "программы": "programs",
}
KINDS = {
    "full": Program.Kind.FULL,
    "полная": Program.Kind.FULL,
    "emergency": Program.Kind.EMERGENCY,
    "экстренная": Program.Kind.EMERGENCY,
}


@dataclass
class ClinicLoadReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _coordinate(value: str, limit: int) -> Decimal | None:
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    number = Decimal(value)
    if not -limit <= number <= limit:
        raise InvalidOperation
    return number.quantize(Decimal("0.000001"))


def _program_kinds(value: str) -> set[str]:
    kinds = set()
    for word in (value or "").replace(",", ";").split(";"):
        word = word.strip().lower()
        if word in ("все", "all"):
            kinds |= set(Program.Kind.values)
        elif word:
            kinds.add(KINDS[word])
    return kinds


def _rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=";,\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = []
    for row in reader:
        rows.append(
            {
                COLUMNS.get((key or "").strip().lower(), (key or "").strip()): (value or "").strip()
                for key, value in row.items()
            }
        )
    return rows


@transaction.atomic
def clinics_load(*, data: bytes) -> ClinicLoadReport:
    """Create or update clinics by code from a CSV file (see clinics/CLINICS_FORMAT.md).

    A row with a bad value is reported by its line number and skipped; the others are saved.
    `Программы` lists programme kinds (полная; экстренная; все): the clinic serves those
    programmes in every contract.
    """
    report = ClinicLoadReport()
    try:
        rows = _rows(data)
    except (UnicodeDecodeError, csv.Error):
        report.errors.append("Файл не читается: нужен CSV в UTF-8 с заголовком")
        return report
    programs_by_kind: dict[str, list[Program]] = {}
    for program in Program.objects.all():
        programs_by_kind.setdefault(program.kind, []).append(program)
    for number, row in enumerate(rows, start=2):
        code, name = row.get("code", ""), row.get("name", "")
        if not code or not name:
            report.errors.append(f"Строка {number}: нет кода или наименования ЛПУ")
            continue
        try:
            latitude = _coordinate(row.get("latitude", ""), 90)
            longitude = _coordinate(row.get("longitude", ""), 180)
        except InvalidOperation:
            report.errors.append(f"Строка {number}: неверные координаты")
            continue
        try:
            kinds = _program_kinds(row.get("programs", ""))
        except KeyError:
            report.errors.append(f"Строка {number}: неизвестная программа «{row['programs']}»")
            continue
        clinic, created = Clinic.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "address": row.get("address", ""),
                "phones": row.get("phones", ""),
                "services": row.get("services", ""),
                "latitude": latitude,
                "longitude": longitude,
            },
        )
        if "programs" in row:
            clinic.programs.set([p for kind in kinds for p in programs_by_kind.get(kind, [])])
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report
