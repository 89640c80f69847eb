"""Russian as a reader expects it (issue #13), in one place for templates, notifications and
forms: numbers agree with nouns through gettext's Russian plural forms (locale/ru catalogue),
names decline into the case a sentence needs (pytrovich), periods read «октябрь 2026» and
phones «+7 999 000-00-01»."""

import re

from django.utils.translation import ngettext
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip

# Each counted noun, as gettext sees it: the catalogue (locale/ru/LC_MESSAGES/django.po) gives
# the three Russian forms; msgid and msgid_plural are the one and many forms.
COUNTED = {
    "счёт": lambda n: ngettext("%(count)s счёт", "%(count)s счетов", n),
    "строка": lambda n: ngettext("%(count)s строка", "%(count)s строк", n),
    "день": lambda n: ngettext("%(count)s день", "%(count)s дней", n),
    "застрахованный": lambda n: ngettext("%(count)s застрахованный", "%(count)s застрахованных", n),
    "услуга": lambda n: ngettext("%(count)s услуга", "%(count)s услуг", n),
    "обращение": lambda n: ngettext("%(count)s обращение", "%(count)s обращений", n),
    "реестр": lambda n: ngettext("%(count)s реестр", "%(count)s реестров", n),
    "заявка": lambda n: ngettext("%(count)s заявка", "%(count)s заявок", n),
    "программа": lambda n: ngettext("%(count)s программа", "%(count)s программ", n),
    "сообщение": lambda n: ngettext("%(count)s сообщение", "%(count)s сообщений", n),
    # «… из 21 строки», «… из 5 строк»: the genitive after «из» for progress figures.
    "из строк": lambda n: ngettext("из %(count)s строки", "из %(count)s строк", n),
}

CASES = {
    "genitive": Case.GENITIVE,
    "dative": Case.DATIVE,
    "accusative": Case.ACCUSATIVE,
    "instrumental": Case.INSTRUMENTAL,
    "prepositional": Case.PREPOSITIONAL,
}

_MAKER = PetrovichDeclinationMaker()
_GENDER = PetrovichGenderDetector()
_DIGITS = re.compile(r"\D")


def count_noun(n: int, noun: str) -> str:
    """«1 счёт», «2 счёта», «5 счетов», «21 строка», «12 345 строк» (digits grouped)."""
    return COUNTED[noun](int(n)) % {"count": f"{int(n):,}".replace(",", " ")}


def period_name(year: int, month: int) -> str:
    """«октябрь 2026»."""
    return f"{MONTHS[int(month) - 1]} {int(year)}"


def phone_display(value) -> str:
    """A Russian mobile number as «+7 999 000-00-01»; anything else is shown as it came."""
    text = str(value or "")
    digits = _DIGITS.sub("", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10:
        return text
    return f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


def name_declined(*, last: str, first: str, middle: str = "", case: str) -> str:
    """«Иванов Иван Иванович» in `case` («dative» → «Иванову Ивану Ивановичу»); the gender
    comes from the patronymic or, without one, the first name."""
    grammatical = CASES[case]
    gender = _GENDER.detect(firstname=first or None, middlename=middle or None)
    if gender not in (Gender.MALE, Gender.FEMALE):
        gender = Gender.ANDROGYNOUS
    parts = [
        _MAKER.make(NamePart.LASTNAME, gender, grammatical, last) if last else "",
        _MAKER.make(NamePart.FIRSTNAME, gender, grammatical, first) if first else "",
        _MAKER.make(NamePart.MIDDLENAME, gender, grammatical, middle) if middle else "",
    ]
    return " ".join(p for p in parts if p)
