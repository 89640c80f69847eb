"""Reading clinic registry files (samples/REGISTRY_FORMAT.md) into rows of raw values.

Clinic price lists (samples/PRICELIST_FORMAT.md) are read by the same code with their own
`Layout` of columns, so both files accept the same containers, encodings and headers.

XLSX (first sheet, python-calamine: ~8× faster than openpyxl read-only) and CSV (`;` or `,`,
UTF-8 with or without BOM, or cp1251). Rows stream: nothing holds the whole file in memory.
Each row comes out as a tuple of raw values in FIELDS order: strings, or `datetime.date` for
Excel date cells; validation (check.py, from the rules in fields.py) decides what they mean.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

# Canonical field → (Russian header, English header), in the order of REGISTRY_FORMAT.md.
COLUMNS: dict[str, tuple[str, str]] = {
    "registry_no": ("Номер реестра", "registry_no"),
    "clinic_code": ("Код ЛПУ", "clinic_code"),
    "clinic_name": ("Наименование ЛПУ", "clinic_name"),
    "line_id": ("ID строки", "line_id"),
    "policy_no": ("Номер полиса", "policy_no"),
    "last_name": ("Фамилия", "last_name"),
    "first_name": ("Имя", "first_name"),
    "patronymic": ("Отчество", "patronymic"),
    "birth_date": ("Дата рождения", "birth_date"),
    "service_date": ("Дата услуги", "service_date"),
    "service_code": ("Код услуги", "service_code"),
    "service_name": ("Наименование услуги", "service_name"),
    "quantity": ("Количество", "quantity"),
    "unit_price": ("Цена", "unit_price"),
    "amount": ("Сумма", "amount"),
}
FIELDS = tuple(COLUMNS)
OPTIONAL = {"patronymic"}
# The label used in problem reports: the Russian header, as operators know the format.
LABEL = {field: names[0] for field, names in COLUMNS.items()}


def _header_key(value) -> str:
    return " ".join(str(value or "").replace("\ufeff", "").split()).lower().replace("ё", "е")


ALIASES = {_header_key(name): field for field, names in COLUMNS.items() for name in names}


@dataclass(frozen=True)
class Layout:
    """A file format's columns: canonical field → (Russian header, English header), in order;
    `optional` fields may be absent from the header."""

    columns: dict[str, tuple[str, str]]
    optional: frozenset[str] = frozenset()

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.columns)

    @property
    def label(self) -> dict[str, str]:
        return {field: names[0] for field, names in self.columns.items()}

    @property
    def aliases(self) -> dict[str, str]:
        return {_header_key(n): field for field, names in self.columns.items() for n in names}


REGISTRY = Layout(COLUMNS, frozenset(OPTIONAL))


class RegistryReadError(Exception):
    """The file cannot be read at all (not a registry, bad encoding, missing columns)."""


@dataclass
class Registry:
    """An opened registry: `rows()` yields (row_number, values) with row 1 being the header."""

    path: Path
    kind: str  # "csv" | "xlsx"
    encoding: str = ""
    delimiter: str = ""
    rows_total: int = 0
    # CSV only: the header's width and, per canonical field, its column index (for COPY).
    width: int = 0
    columns: list | None = None
    layout: Layout = REGISTRY

    def rows(self) -> Iterator[tuple[int, tuple]]:
        if self.kind == "xlsx":
            return _xlsx_rows(self.path, self.layout)
        return _csv_rows(self.path, self.encoding, self.delimiter, self.layout)


def open_registry(path: str | Path, layout: Layout = REGISTRY) -> Registry:
    """Detect the container, encoding and delimiter; check the header. Raises RegistryReadError."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError as exc:
        raise RegistryReadError(f"Файл не читается: {exc}") from exc
    if not head:
        raise RegistryReadError("Файл пуст")
    if head.startswith(b"PK\x03\x04"):
        registry = Registry(path, "xlsx", layout=layout)
        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            registry.rows_total = max(sheet.total_height - 1, 0)
        except Exception as exc:  # calamine raises its own error types for broken archives
            raise RegistryReadError(f"Файл XLSX не читается: {exc}") from exc
    else:
        encoding = _detect_encoding(head)
        text = head.decode(encoding, errors="ignore")
        first_line = text.splitlines()[0] if text else ""
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        registry = Registry(
            path, "csv", encoding, delimiter, rows_total=_count_lines(path) - 1, layout=layout
        )
        header = next(csv.reader(text.splitlines()[:1] or [""], delimiter=delimiter), [])
        registry.width = len(header)
        try:
            registry.columns = _column_map(header, layout)
        except RegistryReadError:
            registry.columns = None  # _check_header below reports it
    _check_header(registry)
    return registry


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a multibyte char cut at the 1 MB edge is fine
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def _count_lines(path: Path) -> int:
    count = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


def _check_header(registry: Registry) -> None:
    rows = registry.rows()
    try:
        next(rows)  # the generator checks the header before yielding anything
    except StopIteration:
        pass
    finally:
        rows.close()


def _column_map(header: list, layout: Layout = REGISTRY) -> list[int | None]:
    """For each canonical field, its index in the file (None for an absent optional column)."""
    positions: dict[str, int] = {}
    aliases, label = layout.aliases, layout.label
    for index, name in enumerate(header):
        field = aliases.get(_header_key(name))
        if field and field not in positions:
            positions[field] = index
    missing = [label[f] for f in layout.fields if f not in positions and f not in layout.optional]
    if missing:
        raise RegistryReadError("В заголовке нет колонок: " + ", ".join(f"«{m}»" for m in missing))
    return [positions.get(field) for field in layout.fields]


def _pick(row: list, columns: list[int | None]) -> tuple:
    width = len(row)
    return tuple((row[i] if i is not None and i < width else "") for i in columns)


def _csv_rows(
    path: Path, encoding: str, delimiter: str, layout: Layout
) -> Iterator[tuple[int, tuple]]:
    try:
        with path.open("r", encoding=encoding, newline="", errors="strict") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise RegistryReadError("В файле нет строки заголовка")
            columns = _column_map(header, layout)
            number = 1
            for row in reader:
                number += 1
                if not row or not any(cell.strip() for cell in row):
                    continue  # blank lines between rows are not services
                yield number, _pick(row, columns)
    except UnicodeDecodeError as exc:
        raise RegistryReadError(
            f"Неверная кодировка файла (ожидается UTF-8 или cp1251): {exc}"
        ) from exc
    except csv.Error as exc:
        raise RegistryReadError(f"Файл CSV повреждён: {exc}") from exc


def _cell(value):
    """Excel cells to raw values: dates stay dates; integral numbers lose the '.0'."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return "" if value is None else str(value)


def _xlsx_rows(path: Path, layout: Layout) -> Iterator[tuple[int, tuple]]:
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.iter_rows()
        header = next(rows, None)
    except Exception as exc:
        raise RegistryReadError(f"Файл XLSX не читается: {exc}") from exc
    if header is None:
        raise RegistryReadError("В файле нет строки заголовка")
    columns = _column_map([_cell(c) for c in header], layout)
    # calamine starts at the first used row; openpyxl-style row numbers count from the sheet top.
    number = sheet.start[0] + 1 if sheet.start else 1
    for row in rows:
        number += 1
        values = [_cell(c) for c in row]
        if not any(isinstance(v, dt.date) or v.strip() for v in values):
            continue
        yield number, _pick(values, columns)
