"""Step «check», in Python: one row's raw values → a parsed row or its problems (→ rejected).

Generated from the rules of fields.py, like the SQL check of the PostgreSQL pipeline
(check_sql.py); serves XLSX, CSV that COPY refuses, and other databases.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from .fields import (
    BAD_COUNT,
    BAD_DATE,
    BAD_NUMBER,
    FUTURE,
    MONEY_PLACES,
    PRODUCT,
    PRODUCT_TEXT,
    REQUIRED,
    RULES,
    SHOWN,
    TOO_BIG,
    TOO_LONG,
    TOO_MANY,
    TOO_PRECISE,
    WS,
    FieldRule,
)
from .read import FIELDS

# ASCII digits only, like PostgreSQL's [0-9] in the SQL check; values are trimmed first, so
# `$` never meets a trailing newline.
_DECIMAL = re.compile(r"^-?\d+(?:\.(\d+))?$", re.ASCII)
_INT = re.compile(r"^\d+$", re.ASCII)
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_DROP_WS = str.maketrans("", "", WS)


@dataclass(slots=True)
class ParsedRow:
    row_number: int
    registry_no: str
    clinic_code: str
    clinic_name: str
    line_id: str
    policy_no: str
    last_name: str
    first_name: str
    patronymic: str
    birth_date: dt.date
    service_date: dt.date
    service_code: str
    service_name: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


Problem = tuple[str, str]  # (column label, reason)


def text_of(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip(WS)


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    s = text_of(value)
    m = _RU_DATE.match(s)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _ISO_DATE.match(s)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None


def _check_text(rule: FieldRule, text: str, raw, today) -> tuple[object, str | None]:
    if len(text) > rule.max_len:
        return None, TOO_LONG.format(limit=rule.max_len)
    return text, None


def _check_date(rule: FieldRule, text: str, raw, today) -> tuple[object, str | None]:
    parsed = _date(raw)
    if parsed is None:
        return None, BAD_DATE[0] + _shown(text) + BAD_DATE[1]
    if parsed > today and not rule.future_ok:
        return None, FUTURE.format(word=rule.word)
    return parsed, None


def _check_count(rule: FieldRule, text: str, raw, today) -> tuple[object, str | None]:
    if not _INT.match(text) or int(text) < 1:
        return None, BAD_COUNT
    if int(text) > rule.max_value:
        return None, TOO_MANY
    return int(text), None


def _check_money(rule: FieldRule, text: str, raw, today) -> tuple[object, str | None]:
    s = text.translate(_DROP_WS).replace(",", ".")
    m = _DECIMAL.match(s)
    if not m:
        return None, BAD_NUMBER[0] + _shown(text) + BAD_NUMBER[1]
    if m[1] and len(m[1]) > MONEY_PLACES:
        return None, TOO_PRECISE
    number = Decimal(s)
    if number < 0:
        return None, rule.negative
    if number > rule.max_value:
        return None, TOO_BIG
    return number, None


CHECKS = {"text": _check_text, "date": _check_date, "count": _check_count, "money": _check_money}


def values_check(
    rules: tuple[FieldRule, ...], values: tuple, today: dt.date
) -> tuple[dict[str, object], list[Problem]]:
    """Each value by its rule: the parsed values by field name, and the problems found. Price
    lists (invoices/pricelist.py) check their own rules with it."""
    problems: list[Problem] = []
    parsed: dict[str, object] = {}
    for rule, raw in zip(rules, values, strict=True):
        text = text_of(raw)
        if not text:
            if rule.required:
                problems.append((rule.label, REQUIRED))
            else:
                parsed[rule.name] = ""
            continue
        value, reason = CHECKS[rule.kind](rule, text, raw, today)
        if reason is None:
            parsed[rule.name] = value
        else:
            problems.append((rule.label, reason))
    return parsed, problems


def validate_row(
    number: int, values: tuple, today: dt.date
) -> tuple[ParsedRow | None, list[Problem]]:
    """Check one row's own values (no database). Returns the parsed row or its problems."""
    parsed, problems = values_check(RULES, values, today)
    total, count, price = PRODUCT
    if total in parsed and count in parsed and price in parsed:
        product = parsed[count] * parsed[price]
        if product != parsed[total]:
            a, b, c, d, e = PRODUCT_TEXT
            reason = f"{a}{parsed[total]}{b}{parsed[count]}{c}{parsed[price]}{d}{product}{e}"
            problems.append((RULES[FIELDS.index(total)].label, reason))
    if problems:
        return None, problems
    return ParsedRow(row_number=number, **parsed), []


def raw_dict(values: tuple) -> dict:
    """A rejected row's values as the operator sent them, for the report."""
    return {field: text_of(value) for field, value in zip(FIELDS, values, strict=True)}
