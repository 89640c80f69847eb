"""XLSX exports of «Мои счета»: one invoice («Файл» in the details) or all of a user's invoices
(«Выгрузить все счета»). Money cells are numbers with a ruble format, dates are real dates."""

from collections.abc import Iterable
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dms_portal import clock

from .models import Invoice

MONEY_FORMAT = '#,##0.00 "₽"'
DATE_FORMAT = "DD.MM.YYYY"
HEADER_FILL = PatternFill("solid", fgColor="E8F1FA")

INVOICE_COLUMNS = [
    ("НОМЕР СЧЕТА", 14, None),
    ("ДАТА ФОРМИРОВАНИЯ", 20, DATE_FORMAT),
    ("ЗАСТРАХОВАННЫЙ", 34, None),
    ("Категория", 14, None),
    ("СУММА СООПЛАТЫ", 18, MONEY_FORMAT),
    ("Гарантийный взнос", 18, MONEY_FORMAT),
    ("ИТОГО К ОПЛАТЕ", 18, MONEY_FORMAT),
    ("СТАТУС", 18, None),
    ("Оплатить до", 14, DATE_FORMAT),
]
LINE_COLUMNS = [
    ("НОМЕР СЧЕТА", 14, None),
    ("Дата услуги", 14, DATE_FORMAT),
    ("ЛПУ", 30, None),
    ("Наименование услуги", 48, None),
    ("Количество", 12, "0"),
    ("Стоимость", 16, MONEY_FORMAT),
    ("Доля соплаты", 16, MONEY_FORMAT),
]


def _sheet(ws, title: str, columns, rows: Iterable[list], totals: dict[int, Decimal]) -> None:
    ws.title = title
    ws.append([name for name, _, _ in columns])
    for index, (_, width, _) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = width
    count = 0
    for row in rows:
        ws.append(row)
        count += 1
    if totals:
        total_row = ["Итого"] + [None] * (len(columns) - 1)
        for index, value in totals.items():
            total_row[index] = value
        ws.append(total_row)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for index, (_, _, number_format) in enumerate(columns, start=1):
        if number_format:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def invoices_xlsx(invoices: Iterable[Invoice]) -> bytes:
    """The invoices (with `lines` prefetched and `with_money` applied) as an XLSX file:
    sheet «Счета», one row per invoice, and sheet «Услуги», one row per service line."""
    invoices = list(invoices)
    wb = Workbook()
    zero = Decimal("0.00")
    copay = sum((inv.copay_total for inv in invoices), zero)
    deposit = sum((inv.deposit_applied for inv in invoices), zero)
    payable = sum((inv.payable_amount() for inv in invoices), zero)
    _sheet(
        wb.active,
        "Счета",
        INVOICE_COLUMNS,
        (
            [
                inv.number,
                clock.to_moscow_date(inv.formed_at),
                inv.person.full_name,
                inv.person.get_category_display(),
                inv.copay_total,
                inv.deposit_applied,
                inv.payable_amount(),
                inv.get_status_display(),
                inv.due_date,
            ]
            for inv in invoices
        ),
        {4: copay, 5: deposit, 6: payable},
    )
    lines = [(inv, line) for inv in invoices for line in inv.lines.all()]
    _sheet(
        wb.create_sheet(),
        "Услуги",
        LINE_COLUMNS,
        (
            [
                inv.number,
                line.service_date,
                line.clinic_name,
                line.service_name,
                line.quantity,
                line.cost,
                line.copay,
            ]
            for inv, line in lines
        ),
        {
            5: sum((line.cost for _, line in lines), zero),
            6: sum((line.copay for _, line in lines), zero),
        },
    )
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
