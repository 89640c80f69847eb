"""XLSX export of activations for operators and employers."""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dms_portal.clock import MOSCOW
from dms_portal.xlsx import safe_row

HEADER = (
    "Страхователь",
    "Договор",
    "Застрахованный",
    "Дата рождения",
    "Номер полиса",
    "Категория",
    "Период полиса с",
    "Период полиса по",
    "Активация запрошена (МСК)",
    "Действует с",
    "Кем (телефон)",
    "Версия согласия",
    "IP",
)
WIDTHS = (28, 16, 34, 14, 14, 14, 16, 16, 24, 14, 18, 16, 16)


def activations_xlsx(queryset) -> bytes:
    """One row per activation, dates as real date cells shown ДД.ММ.ГГГГ. Streams rows
    (write-only workbook) so an export of every activation stays flat in memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Активации франшизы")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(text):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    sheet.append([header_cell(text) for text in HEADER])
    rows = queryset.select_related("person__contract__employer", "requested_by").order_by(
        "effective_date", "person__last_name", "pk"
    )
    for a in rows.iterator(chunk_size=2000):
        person = a.person
        values = [
            person.contract.employer.name,
            person.contract.number,
            person.full_name,
            person.birth_date,
            person.policy_number,
            person.get_category_display(),
            a.period_start,
            a.period_end,
            a.requested_at.astimezone(MOSCOW).replace(tzinfo=None),
            a.effective_date,
            str(a.requested_by.phone) if a.requested_by_id else "",
            a.consent_version,
            a.ip or "",
        ]
        cells = []
        for value in safe_row(sheet, values):  # names are outside text (CWE-1236)
            if hasattr(value, "year"):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD.MM.YYYY HH:MM" if hasattr(value, "hour") else "DD.MM.YYYY"
                value = cell
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
