"""The field rules of the registry format (samples/REGISTRY_FORMAT.md), declared once.

Both checks are generated from this table: the Python row check (check.py: XLSX, CSV that
COPY refuses, SQLite) and the SQL check of the PostgreSQL pipeline (check_sql.py). A rule or a
message changed here changes both, so the two paths agree by construction; the test that runs
one file through both paths (broken rows of every kind) guards the generators themselves.

Kinds: "text" (trimmed; length limit), "date" (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, a real day, not in
the future unless `future_ok`), "count" (a whole number from 1 to max_value), "money" (up to two decimals, not
negative, at most max_value; spaces and a decimal comma allowed). Messages quote the raw value
cut to SHOWN characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .read import FIELDS, LABEL


@dataclass(frozen=True)
class FieldRule:
    name: str
    kind: str  # "text" | "date" | "count" | "money"
    required: bool = True
    max_len: int = 0  # text
    max_value: int | Decimal = 0  # count, money
    word: str = ""  # date: the subject of «… в будущем»
    negative: str = ""  # money: the reason for a value below zero
    future_ok: bool = False  # date: a day after today is valid (a price list's «Действует с»)
    title: str = ""  # the column label, for fields of other formats (price lists)

    @property
    def label(self) -> str:
        return self.title or LABEL[self.name]


MAX_QUANTITY = 100_000
MAX_MONEY = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
MONEY_PLACES = 2

RULES: tuple[FieldRule, ...] = (
    FieldRule("registry_no", "text", max_len=64),
    FieldRule("clinic_code", "text", max_len=32),
    FieldRule("clinic_name", "text", max_len=255),
    FieldRule("line_id", "text", max_len=64),
    FieldRule("policy_no", "text", max_len=32),
    FieldRule("last_name", "text", max_len=100),
    FieldRule("first_name", "text", max_len=100),
    FieldRule("patronymic", "text", required=False, max_len=100),
    FieldRule("birth_date", "date", word="Дата рождения"),
    FieldRule("service_date", "date", word="Дата услуги"),
    FieldRule("service_code", "text", max_len=64),
    FieldRule("service_name", "text", max_len=500),
    FieldRule("quantity", "count", max_value=MAX_QUANTITY),
    FieldRule(
        "unit_price", "money", max_value=MAX_MONEY, negative="Цена не может быть отрицательной"
    ),
    FieldRule("amount", "money", max_value=MAX_MONEY, negative="Сумма не может быть отрицательной"),
)
RULE = {rule.name: rule for rule in RULES}
assert tuple(RULE) == FIELDS, "one rule per column of the format, in its order"
assert not any(rule.future_ok or rule.title for rule in RULES), "registry rules use neither"

# The row-level rule: amount = quantity × unit price, checked when the three are valid.
PRODUCT = ("amount", "quantity", "unit_price")

# Whitespace trimmed from values, and removed from numbers ("5 000,00"): one explicit set, used
# by str.strip in Python and btrim / translate in SQL, so both agree to the character.
WS = " \t\r\n\u00a0"
SHOWN = 100  # longest raw value quoted back in a reason

# Messages. Those quoting a value are (before, after) pieces around it, so that Python formats
# and SQL concatenates the same text.
REQUIRED = "Не заполнено обязательное поле"
TOO_LONG = "Слишком длинное значение (больше {limit} символов)"
BAD_DATE = ("Неверная дата «", "» (ожидается ДД.ММ.ГГГГ)")
FUTURE = "{word} в будущем"
BAD_COUNT = "Количество должно быть целым числом не меньше 1"
TOO_MANY = "Слишком большое количество"
BAD_NUMBER = ("Неверное число «", "»")
TOO_PRECISE = "Больше двух знаков после запятой"
TOO_BIG = "Слишком большое значение"
# «Сумма A не равна количеству × цене (Q × P = Q·P)»: the pieces between the four numbers.
PRODUCT_TEXT = ("Сумма ", " не равна количеству × цене (", " × ", " = ", ")")


def rules_of(kind: str) -> tuple[FieldRule, ...]:
    return tuple(rule for rule in RULES if rule.kind == kind)
