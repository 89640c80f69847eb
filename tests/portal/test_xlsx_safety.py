"""CWE-1236: text from outside never becomes a formula in a workbook the portal writes."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from dms_portal.xlsx import Formula, append_safe

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("write_only", [False, True])
def test_hostile_text_is_stored_as_text_and_totals_stay_formulas(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    for text in HOSTILE:
        append_safe(sheet, [text, 5, "обычный текст"])
    append_safe(sheet, [Formula("SUM(B1:B6)"), None, None])
    buffer = io.BytesIO()
    book.save(buffer)

    read = load_workbook(io.BytesIO(buffer.getvalue()))
    ws = read.worksheets[-1]
    for row, text in enumerate(HOSTILE, start=1):
        cell = ws.cell(row=row, column=1)
        # XML may read a lone CR back as a line end; what matters is that it is text.
        assert cell.value in (text, text.replace("\r", "\n"))
        assert cell.data_type == "s"
        assert ws.cell(row=row, column=2).value == 5
    total = ws.cell(row=len(HOSTILE) + 1, column=1)
    assert total.data_type == "f"
    assert total.value == "=SUM(B1:B6)"
