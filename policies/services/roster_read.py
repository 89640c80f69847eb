"""Reading an employer's roster file (XLSX or CSV) into rows of raw values by canonical field
(policies/ROSTER_FORMAT.md): the header names the columns, Russian or English, in any order."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from python_calamine import CalamineWorkbook

# Canonical field → accepted headers (the first is the Russian name used in reports).
COLUMNS: dict[str, tuple[str, ...]] = {
    "last_name": ("Фамилия", "last_name"),
    "first_name": ("Имя", "first_name"),
    "patronymic": ("Отчество", "patronymic"),
    "birth_date": ("Дата рождения", "birth_date"),
    "policy_number": ("Номер полиса", "policy_no", "policy_number"),
    "employee_number": ("Табельный номер", "Таб. номер", "employee_no", "employee_number"),
    "category": ("Категория", "category"),
    "sponsor_policy": ("Полис сотрудника", "sponsor_policy_no", "sponsor_policy"),
    "program": ("Программа", "program"),
    "status": ("Статус", "status"),
    "policy_start": ("Начало полиса", "policy_start"),
    "policy_end": ("Окончание полиса", "policy_end"),
    "phone": ("Телефон", "phone"),
}
REQUIRED_COLUMNS = ("last_name", "first_name", "birth_date", "policy_number", "category")
LABEL = {name: headers[0] for name, headers in COLUMNS.items()}


class RosterFileError(Exception):
    """The file cannot be read as a roster at all (nothing is loaded)."""


def _header_key(value) -> str:
    return " ".join(str(value or "").replace("\ufeff", "").split()).lower().replace("ё", "е")


ALIASES = {_header_key(h): name for name, headers in COLUMNS.items() for h in headers}


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1001.0 from a spreadsheet number cell is the text "1001"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def read_roster(data: bytes, file_name: str) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (row number, {field: raw value}) for each non-empty data row; row 1 is the header.

    Raises RosterFileError when the file is not a readable roster (unknown container, bad
    encoding, required columns missing)."""
    if not data:
        raise RosterFileError("Файл пуст.")
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif file_name.lower().endswith((".xlsx", ".xls")):
        raise RosterFileError("Файл назван как XLSX, но не является книгой Excel.")
    else:
        rows = _csv_rows(data)
    try:
        header = next(rows)
    except StopIteration:
        raise RosterFileError("В файле нет строки заголовка.") from None
    mapping: dict[int, str] = {}
    for index, title in enumerate(header):
        name = ALIASES.get(_header_key(title))
        if name and name not in mapping.values():
            mapping[index] = name
    missing = [LABEL[c] for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        raise RosterFileError("Нет обязательных столбцов: " + ", ".join(missing) + ".")
    for number, raw in enumerate(rows, start=2):
        if not any(cell_text(v) for v in raw):
            continue
        yield number, {name: (raw[i] if i < len(raw) else None) for i, name in mapping.items()}


def _xlsx_rows(data: bytes) -> Iterator[list]:
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        yield from sheet.iter_rows()
    except Exception as exc:  # calamine raises its own error types for broken books
        raise RosterFileError(f"Книга Excel не читается: {exc}") from exc


def _csv_rows(data: bytes) -> Iterator[list]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes any byte string but 0x98
        raise RosterFileError("Не удалось определить кодировку CSV (ожидается UTF-8 или cp1251).")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)
