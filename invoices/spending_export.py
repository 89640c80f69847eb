"""«Скачать XLSX» of «Мои расходы»: the page's numbers (`spending_for_user`, nothing
recomputed) and a native Excel bar chart of co-pay per month.

A few dozen rows: an ordinary (not write-only) workbook, which is what openpyxl needs to
place a chart. Text cells (clinic and person names come from registries and the roster) go
through dms_portal.xlsx, so a name that looks like a formula stays text (CWE-1236).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from dms_portal.russian import MONTHS
from dms_portal.xlsx import append_safe

from .spending import Spending, Totals

MONEY_FORMAT = '#,##0.00 "₽"'
HEADER_FILL = PatternFill("solid", fgColor="E8F1FA")
FIGURES = ("Начислено", "Оплачено", "К оплате")


def _figures(totals: Totals) -> list:
    return [totals.charged, totals.paid, totals.owed]


def _table(sheet, first: str, rows: list[tuple[str, Totals]], total: Totals) -> tuple[int, int]:
    """A header, the rows and «Итого»; returns the rows (first, last) of the data."""
    append_safe(sheet, [first, *FIGURES])
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for name, totals in rows:
        append_safe(sheet, [name, *_figures(totals)])
    append_safe(sheet, ["Итого", *_figures(total)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=header + 1, min_col=2, max_col=4):
        for cell in row:
            cell.number_format = MONEY_FORMAT
    return header + 1, sheet.max_row - 1


def _widths(sheet, first: int) -> None:
    sheet.column_dimensions["A"].width = first
    for col in range(2, 5):
        sheet.column_dimensions[get_column_letter(col)].width = 16


def spending_xlsx(spending: Spending) -> bytes:
    """Sheet «Мои расходы» (the year's figures, the months and the chart), «По клиникам»,
    «По застрахованным»."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Мои расходы"
    append_safe(sheet, [f"Мои расходы за {spending.year} год (услуги, оказанные в этом году)"])
    sheet["A1"].font = Font(bold=True, size=13)
    append_safe(sheet, [None])
    months = [(MONTHS[m - 1], totals) for m, totals in spending.months]
    first, last = _table(sheet, "Месяц", months, spending.total)
    _widths(sheet, 22)

    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = f"Сооплата по месяцам, {spending.year}"
    chart.y_axis.title = "₽"
    chart.y_axis.numFmt = "#,##0.00"
    # «Оплачено» and «К оплате» stacked: together each column is «Начислено».
    data = Reference(sheet, min_col=3, max_col=4, min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, "F3")

    clinics = book.create_sheet("По клиникам")
    _table(clinics, "Клиника", spending.clinics, spending.total)
    _widths(clinics, 40)
    people = book.create_sheet("По застрахованным")
    _table(people, "Застрахованный", [(p.full_name, t) for p, t in spending.people], spending.total)
    _widths(people, 40)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
