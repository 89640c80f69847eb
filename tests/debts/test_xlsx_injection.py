"""CWE-1236: the debt path's spreadsheets (call list, employer reports) keep formula-looking
names as text."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from debts.services.xlsx import workbook_bytes

EVIL = '=HYPERLINK("http://evil.example/","x")'


def test_hostile_names_in_rows_and_caption_are_string_cells():
    content = workbook_bytes(
        title="Список обзвона",
        caption="=1+1",
        headers=["Плательщик", "Долг, ₽"],
        rows=[[EVIL, Decimal("100.00")], ["@cmd", Decimal("5.00")]],
        money_columns=[2],
        footer=["-итого", Decimal("105.00")],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("=1+1", EVIL, "@cmd", "-итого"):
        assert cells[text].data_type == "s", text
    assert sheet.cell(row=3, column=2).number_format == "#,##0.00"
