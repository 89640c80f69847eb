"""The import report of a registry as XLSX: every rejected or held row with its reason."""

from __future__ import annotations

import io

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dms_portal import clock
from dms_portal.xlsx import append_safe

from ..models import ServiceLine, ServiceRegistry
from .linecheck import FLAG_FIELDS, flags_of
from .read import FIELDS, LABEL


def registry_problems_xlsx(*, registry: ServiceRegistry) -> bytes:
    """Streams the problems into a write-only workbook (a million-row file stays cheap)."""
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Итоги")
    # Every row goes through append_safe: file names, service names and reasons come from
    # outside, and text starting with «=» must stay text (CWE-1236).
    append_safe(summary, ["Файл", registry.original_name])
    append_safe(
        summary,
        ["Загружен", registry.uploaded_at.astimezone(clock.MOSCOW).strftime("%d.%m.%Y %H:%M")],
    )
    append_safe(summary, ["Статус", registry.get_status_display()])
    for label, value in (
        ("Загружено", registry.loaded),
        ("Задержано", registry.held),
        ("Отклонено", registry.rejected),
        ("Дубликаты", registry.duplicates),
    ):
        append_safe(summary, [label, value])
    if registry.error:
        append_safe(summary, ["Ошибка", registry.error])
    sheet = workbook.create_sheet("Проблемы строк")
    bold = Font(bold=True)
    header = ["Строка", "Итог", "Колонка", "Причина", *(LABEL[f] for f in FIELDS)]
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    problems = registry.problems.order_by("row_number", "id").iterator(chunk_size=5000)
    for problem in problems:
        raw = problem.raw or {}
        append_safe(
            sheet,
            [
                problem.row_number,
                problem.get_kind_display(),
                problem.column,
                problem.reason,
                *(raw.get(f, "") for f in FIELDS),
            ],
        )
    _checks_sheet(workbook, registry)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _checks_sheet(workbook: Workbook, registry: ServiceRegistry) -> None:
    """The registry's lines with a line-check flag (SPEC §3.8), with the «Проверки» column, so
    an operator sees them before the invoice run."""
    sheet = workbook.create_sheet("Проверки строк")
    append_safe(
        sheet,
        [
            "Строка",
            "ID строки",
            "Номер полиса",
            "Дата услуги",
            "Код услуги",
            "Наименование услуги",
            "Количество",
            "Цена",
            "Сумма",
            "Проверки",
        ],
    )
    flagged = Q()
    for flag in FLAG_FIELDS:
        flagged |= Q(**{flag: True})
    lines = (
        ServiceLine.objects.filter(flagged, registry=registry)
        .order_by("row_number", "id")
        .iterator(chunk_size=5000)
    )
    for line in lines:
        append_safe(
            sheet,
            [
                line.row_number,
                line.line_id,
                line.policy_no,
                line.service_date.strftime("%d.%m.%Y"),
                line.service_code,
                line.service_name,
                line.quantity,
                line.unit_price,
                line.amount,
                "; ".join(flag.label for flag in flags_of(line)),
            ],
        )
