"""Spreadsheets of the debt path (openpyxl): money as numbers with a ruble format, dates as
dates in ДД.ММ.ГГГГ, so an employer's accountant can sum and filter them. Every row goes
through dms_portal.xlsx: a person's or employer's name that looks like a formula stays text
(CWE-1236)."""

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dms_portal.xlsx import append_safe

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "DD.MM.YYYY"


def workbook_bytes(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    money_columns: Sequence[int] = (),
    date_columns: Sequence[int] = (),
    footer: Sequence | None = None,
    caption: str | None = None,
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    if caption:
        append_safe(ws, [caption])
        ws.cell(row=1, column=1).font = Font(bold=True)
    append_safe(ws, headers)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        append_safe(ws, row)
        _format(ws, ws.max_row, money_columns, date_columns)
    if footer is not None:
        append_safe(ws, footer)
        _format(ws, ws.max_row, money_columns, date_columns)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, min(45, len(header) + 4))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _format(ws, row: int, money_columns, date_columns) -> None:
    for col in money_columns:
        ws.cell(row=row, column=col).number_format = MONEY_FORMAT
    for col in date_columns:
        ws.cell(row=row, column=col).number_format = DATE_FORMAT
