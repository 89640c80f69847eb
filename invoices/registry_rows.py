"""Row rules of the registry format: validation (→ rejected) and roster matching (→ held).

One implementation of the per-row validation serves both import paths, so PostgreSQL and
SQLite cannot disagree on what is malformed. Roster matching exists twice — `match_line` here
(SQLite, re-match from admin) and the SQL in services/registry_import.py (PostgreSQL, set-based)
— and tests run the same files through both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from policies.models import InsuredPerson, Program, normalize_name

from .registry_reader import LABEL

MAX_LEN = {
    "registry_no": 64,
    "clinic_code": 32,
    "clinic_name": 255,
    "line_id": 64,
    "policy_no": 32,
    "last_name": 100,
    "first_name": 100,
    "patronymic": 100,
    "service_code": 64,
    "service_name": 500,
}
TEXT_FIELDS = tuple(MAX_LEN)
MAX_QUANTITY = 100_000
MAX_MONEY = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
# ASCII digits only, like PostgreSQL's \d in the SQL path; values are trimmed first, so `$`
# never meets a trailing newline.
_DECIMAL = re.compile(r"^-?\d+(?:\.(\d+))?$", re.ASCII)
_INT = re.compile(r"^\d+$", re.ASCII)
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)

REQUIRED = "Не заполнено обязательное поле"


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

    @property
    def key(self) -> tuple[str, str]:
        return (self.clinic_code, self.line_id)


Problem = tuple[str, str]  # (column label, reason)


# Whitespace trimmed from values, and removed from numbers ("5 000,00"). One explicit set, so
# the SQL path (btrim / translate with the same characters) agrees to the character.
WS = " \t\r\n\u00a0"
_DROP_WS = str.maketrans("", "", WS)
SHOWN = 100  # longest raw value quoted back in a reason


def _text(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip(WS)


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    s = _text(value)
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


def _money(value, field: str, problems: list[Problem]) -> Decimal | None:
    s = _text(value).translate(_DROP_WS).replace(",", ".")
    m = _DECIMAL.match(s)
    if not m:
        problems.append((LABEL[field], f"Неверное число «{_shown(_text(value))}»"))
        return None
    if m[1] and len(m[1]) > 2:
        problems.append((LABEL[field], "Больше двух знаков после запятой"))
        return None
    number = Decimal(s)
    if number < 0:
        reason = "Цена не может быть отрицательной" if field == "unit_price" else None
        problems.append((LABEL[field], reason or "Сумма не может быть отрицательной"))
        return None
    if number > MAX_MONEY:
        problems.append((LABEL[field], "Слишком большое значение"))
        return None
    return number


def validate_row(
    number: int, values: tuple, today: dt.date
) -> tuple[ParsedRow | None, list[Problem]]:
    """Check one row's own values (no database). Returns the parsed row or its problems."""
    (
        registry_no,
        clinic_code,
        clinic_name,
        line_id,
        policy_no,
        last_name,
        first_name,
        patronymic,
        birth_raw,
        service_raw,
        service_code,
        service_name,
        quantity_raw,
        price_raw,
        amount_raw,
    ) = values
    problems: list[Problem] = []
    texts = {}
    for field, raw in (
        ("registry_no", registry_no),
        ("clinic_code", clinic_code),
        ("clinic_name", clinic_name),
        ("line_id", line_id),
        ("policy_no", policy_no),
        ("last_name", last_name),
        ("first_name", first_name),
        ("patronymic", patronymic),
        ("service_code", service_code),
        ("service_name", service_name),
    ):
        text = _text(raw)
        if not text and field != "patronymic":
            problems.append((LABEL[field], REQUIRED))
        elif len(text) > MAX_LEN[field]:
            problems.append(
                (LABEL[field], f"Слишком длинное значение (больше {MAX_LEN[field]} символов)")
            )
        texts[field] = text

    dates = {}
    for field, raw in (("birth_date", birth_raw), ("service_date", service_raw)):
        if not _text(raw):
            problems.append((LABEL[field], REQUIRED))
            continue
        parsed = _date(raw)
        if parsed is None:
            problems.append(
                (LABEL[field], f"Неверная дата «{_shown(_text(raw))}» (ожидается ДД.ММ.ГГГГ)")
            )
        elif parsed > today:
            word = "Дата услуги" if field == "service_date" else "Дата рождения"
            problems.append((LABEL[field], f"{word} в будущем"))
        else:
            dates[field] = parsed

    quantity = None
    q = _text(quantity_raw)
    if not q:
        problems.append((LABEL["quantity"], REQUIRED))
    elif not _INT.match(q) or int(q) < 1:
        problems.append((LABEL["quantity"], "Количество должно быть целым числом не меньше 1"))
    elif int(q) > MAX_QUANTITY:
        problems.append((LABEL["quantity"], "Слишком большое количество"))
    else:
        quantity = int(q)

    money = {}
    for field, raw in (("unit_price", price_raw), ("amount", amount_raw)):
        if not _text(raw):
            problems.append((LABEL[field], REQUIRED))
            continue
        value = _money(raw, field, problems)
        if value is not None:
            money[field] = value

    if (
        quantity is not None
        and len(money) == 2
        and quantity * money["unit_price"] != money["amount"]
    ):
        problems.append(
            (
                LABEL["amount"],
                f"Сумма {money['amount']} не равна количеству × цене "
                f"({quantity} × {money['unit_price']} = {quantity * money['unit_price']})",
            )
        )
    if problems:
        return None, problems
    return (
        ParsedRow(
            row_number=number,
            registry_no=texts["registry_no"],
            clinic_code=texts["clinic_code"],
            clinic_name=texts["clinic_name"],
            line_id=texts["line_id"],
            policy_no=texts["policy_no"],
            last_name=texts["last_name"],
            first_name=texts["first_name"],
            patronymic=texts["patronymic"],
            birth_date=dates["birth_date"],
            service_date=dates["service_date"],
            service_code=texts["service_code"],
            service_name=texts["service_name"],
            quantity=quantity,
            unit_price=money["unit_price"],
            amount=money["amount"],
        ),
        [],
    )


def raw_dict(values: tuple) -> dict:
    """A rejected row's values as the operator sent them, for the report."""
    from .registry_reader import FIELDS

    return {field: _text(value) for field, value in zip(FIELDS, values, strict=True)}


# --- roster matching ----------------------------------------------------------------------------

# Hold reasons: code → (column label, text). The SQL path uses the same codes and texts.
HOLD = {
    "policy": (LABEL["policy_no"], "Полис не найден в списке застрахованных"),
    "last_name": (LABEL["last_name"], "Фамилия не совпадает со списком застрахованных"),
    "first_name": (LABEL["first_name"], "Имя не совпадает со списком застрахованных"),
    "birth_date": (LABEL["birth_date"], "Дата рождения не совпадает со списком застрахованных"),
    "period": (LABEL["service_date"], "Дата услуги вне периода действия полиса"),
    "emergency": (
        LABEL["policy_no"],
        "Застрахованный переведён на программу экстренной помощи",
    ),
    "activation": (LABEL["service_date"], "Франшиза не активирована на дату услуги"),
}
HOLD_BY_TEXT = {text: (code, column) for code, (column, text) in HOLD.items()}


@dataclass(slots=True)
class RosterEntry:
    id: int
    last_norm: str
    first_norm: str
    birth_date: dt.date
    policy_start: dt.date
    policy_end: dt.date
    emergency: bool
    activations: list  # [(period_start, period_end, effective_date)]


def roster_for(policy_numbers) -> dict[str, RosterEntry]:
    """policy number → roster facts needed to match lines, in two queries."""
    from franchise.selectors import activation_periods

    people = list(
        InsuredPerson.objects.filter(policy_number__in=list(policy_numbers)).values_list(
            "id",
            "policy_number",
            "last_name_norm",
            "first_name_norm",
            "birth_date",
            "policy_start",
            "policy_end",
            "program__kind",
        )
    )
    periods = activation_periods([p[0] for p in people])
    return {
        policy: RosterEntry(
            pk, last, first, birth, start, end, kind == Program.Kind.EMERGENCY, periods.get(pk, [])
        )
        for pk, policy, last, first, birth, start, end, kind in people
    }


def match_line(
    *, last_name: str, first_name: str, birth_date: dt.date, service_date: dt.date, entry
) -> tuple[int | None, str]:
    """(person id or None, hold code or '' when the line can be billed)."""
    if entry is None:
        return None, "policy"
    if entry.last_norm != normalize_name(last_name):
        return None, "last_name"
    if entry.first_norm != normalize_name(first_name):
        return None, "first_name"
    if entry.birth_date != birth_date:
        return None, "birth_date"
    if not entry.policy_start <= service_date <= entry.policy_end:
        return entry.id, "period"
    if entry.emergency:
        return entry.id, "emergency"
    if not any(s <= service_date <= e and eff <= service_date for s, e, eff in entry.activations):
        return entry.id, "activation"
    return entry.id, ""
