"""The one way text reaches an XLSX cell (CWE-1236, formula injection).

openpyxl turns any string that starts with «=» into a formula. Text that comes from outside
(a clinic's service name, a person's name, an e-mail) must never become one: a registry line
named ``=HYPERLINK("http://evil","Подробнее")`` would otherwise be a live link in the insured's
«Файл». Every XLSX writer appends its rows through :func:`safe_row`; the portal's own totals may
still be formulas, written as :class:`Formula` on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl.cell import Cell

# What spreadsheet programs read as the start of a formula or a DDE payload (OWASP CSV
# injection): = + - @, and tab / carriage return, which some programs strip before parsing.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Formula:
    """A formula the portal writes itself (a total): the only way a cell becomes one."""

    text: str


def safe_cell(sheet, value):
    """The value as a cell of `sheet`: text that could start a formula is a string cell,
    kept verbatim (not prefixed, so the reader sees the clinic's own words); a `Formula`
    is a formula; anything else (numbers, dates, Decimals, already-made cells) is as given."""
    if isinstance(value, Cell):
        return value
    if isinstance(value, Formula):
        text = value.text if value.text.startswith("=") else "=" + value.text
        return Cell(sheet, row=1, column=1, value=text)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        # row/column are placeholders: append() places the cell (as openpyxl's WriteOnlyCell).
        cell = Cell(sheet, row=1, column=1, value=value)
        cell.data_type = "s"
        return cell
    return value


def safe_row(sheet, values: Iterable) -> list:
    """`values` ready for ``sheet.append`` (normal or write-only worksheet)."""
    return [safe_cell(sheet, value) for value in values]


def append_safe(sheet, values: Iterable) -> None:
    sheet.append(safe_row(sheet, values))
