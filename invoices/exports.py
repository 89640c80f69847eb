"""XLSX exports of «Мои счета»: one invoice («Файл» in the details) or all of a user's invoices
(«Выгрузить все счета»). Money cells are numbers with a ruble format, dates are real dates.

The workbook is write-only and the lines come from the database in chunks, so an invoice of
50,000 lines streams through a temporary file instead of being built in memory (see
bench/invoice_xlsx.py). Every row goes through dms_portal.xlsx: a clinic's service name that
looks like a formula stays text (CWE-1236).
"""

import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dms_portal import clock
from dms_portal.xlsx import safe_cell

from .models import Invoice, InvoiceLine


def parts_paid_term(invoice: Invoice) -> Decimal:
    """Instalments paid, as a term of ИТОГО К ОПЛАТЕ: only while the invoice is not ОПЛАЧЕН
    (`invoices.money`); `invoice` comes from `with_money()`."""
    return ZERO if invoice.status == Invoice.Status.PAID else invoice.parts_paid


MONEY_FORMAT = '#,##0.00 "₽"'
DATE_FORMAT = "DD.MM.YYYY"
HEADER_FILL = PatternFill("solid", fgColor="E8F1FA")
ZERO = Decimal("0.00")
# Rows fetched per database round trip: flat memory, few queries.
CHUNK = 2000
# Past this size the temporary file spills from memory to disk.
SPOOL_BYTES = 4 * 1024 * 1024

INVOICE_COLUMNS = [
    ("НОМЕР СЧЕТА", 14, None),
    ("ДАТА ФОРМИРОВАНИЯ", 20, DATE_FORMAT),
    ("ЗАСТРАХОВАННЫЙ", 34, None),
    ("Категория", 14, None),
    ("СУММА СООПЛАТЫ", 18, MONEY_FORMAT),
    ("Гарантийный взнос", 18, MONEY_FORMAT),
    ("Корректировка", 18, MONEY_FORMAT),
    ("Неустойка", 14, MONEY_FORMAT),
    ("ИТОГО К ОПЛАТЕ", 18, MONEY_FORMAT),
    ("СТАТУС", 18, None),
    ("Оплатить до", 14, DATE_FORMAT),
    # Last, so that the columns before keep their places in older readers' formulas.
    ("Оплачено частями", 18, MONEY_FORMAT),
]
LINE_COLUMNS = [
    ("НОМЕР СЧЕТА", 14, None),
    ("Дата услуги", 14, DATE_FORMAT),
    ("ЛПУ", 30, None),
    ("Наименование услуги", 48, None),
    ("Количество", 12, "0"),
    ("Стоимость", 16, MONEY_FORMAT),
    ("Сумма сооплаты, ₽", 16, MONEY_FORMAT),
]
LINE_FIELDS = (
    "invoice__number",
    "service_date",
    "clinic_name",
    "service_name",
    "quantity",
    "cost",
    "copay",
)


class _Sheet:
    """One write-only sheet: styled header, formatted rows, sums of the money columns and a
    bold «Итого» row at the end."""

    def __init__(self, book: Workbook, title: str, columns, totals: Iterable[int]):
        self.sheet = book.create_sheet(title)
        self.columns = columns
        self.sums = dict.fromkeys(totals, ZERO)
        self.count = 0
        for index, (_, width, _) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        header = []
        for name, _, _ in columns:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            header.append(cell)
        self.sheet.append(header)

    def _cells(self, values, font=None) -> list:
        cells = []
        for value, (_, _, number_format) in zip(values, self.columns, strict=True):
            cell = safe_cell(self.sheet, value)
            if not hasattr(cell, "value"):  # a plain value: make a cell to carry the format
                cell = WriteOnlyCell(self.sheet, value=cell)
            if number_format and value is not None:
                cell.number_format = number_format
            if font:
                cell.font = font
            cells.append(cell)
        return cells

    def append(self, values: list) -> None:
        for index in self.sums:
            self.sums[index] += values[index]
        self.sheet.append(self._cells(values))
        self.count += 1

    def close(self) -> None:
        if self.sums:
            row = ["Итого"] + [None] * (len(self.columns) - 1)
            for index, value in self.sums.items():
                row[index] = value
            self.sheet.append(self._cells(row, font=Font(bold=True)))
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.count + 1}"


def invoices_xlsx(*, invoices: Iterable[Invoice], lines: QuerySet[InvoiceLine]) -> IO[bytes]:
    """Sheet «Счета» (one row per invoice; `with_money` applied: ИТОГО К ОПЛАТЕ = СУММА
    СООПЛАТЫ − Гарантийный взнос − Корректировка + Неустойка − Оплачено частями in every
    row) and sheet «Услуги» (one row
    per line of `lines`), as an open temporary file at position 0: the caller streams and
    closes it (closing deletes it)."""
    book = Workbook(write_only=True)
    head = _Sheet(book, "Счета", INVOICE_COLUMNS, totals=(4, 5, 6, 7, 8))
    for inv in invoices:
        head.append(
            [
                inv.number,
                clock.to_moscow_date(inv.formed_at),
                inv.person.full_name,
                inv.person.get_category_display(),
                inv.copay_total,
                inv.deposit_applied,
                inv.corrections_total,
                inv.penalty_total,
                inv.payable_amount(),
                inv.get_status_display(),
                inv.due_date,
                parts_paid_term(inv),
            ]
        )
    head.close()
    body = _Sheet(book, "Услуги", LINE_COLUMNS, totals=(5, 6))
    for row in lines.values_list(*LINE_FIELDS).iterator(chunk_size=CHUNK):
        body.append(list(row))
    body.close()
    # Not a `with`: the response streams the file and closes it when sent.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out
