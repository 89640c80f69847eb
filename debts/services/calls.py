"""The operator call list: logging a call, exporting the list."""

import datetime as dt

from django.db import transaction

from audit.services import audit_log
from dms_portal import clock
from policies.models import InsuredPerson
from policies.services.payer import contacts_of

from ..models import CallLog
from ..selectors import days_overdue
from .xlsx import workbook_bytes

HEADERS = [
    "Плательщик",
    "Полис",
    "Страхователь",
    "Телефон",
    "E-mail",
    "Просроченных счетов",
    "Долг, ₽",
    "Дней просрочки",
    "Последний контакт",
]


@transaction.atomic
def call_log(
    *,
    person: InsuredPerson,
    outcome: str,
    operator,
    note: str = "",
    promised_date: dt.date | None = None,
    at: dt.datetime | None = None,
) -> CallLog:
    entry = CallLog.objects.create(
        person=person,
        outcome=outcome,
        operator=operator if getattr(operator, "pk", None) else None,
        note=note,
        promised_date=promised_date,
        at=at or clock.now(),
    )
    audit_log(action="debt.call", actor=operator, target=person, outcome=outcome)
    return entry


def call_list_xlsx(*, payers, today: dt.date | None = None) -> bytes:
    """`payers` is `selectors.call_list(...)` (annotated with debt, oldest_due, …)."""
    today = today or clock.moscow_today()

    def rows():
        for p in payers:
            contacts = contacts_of(p)
            last = clock.to_moscow_date(p.last_contact) if p.last_contact else None
            yield [
                p.full_name,
                p.policy_number,
                p.contract.employer.name,
                contacts.phone or "",
                contacts.email or "",
                p.overdue_count,
                p.debt,
                days_overdue(p.oldest_due, today),
                last,
            ]

    return workbook_bytes(
        title="Список обзвона",
        caption=f"Список обзвона должников на {today:%d.%m.%Y}",
        headers=HEADERS,
        rows=rows(),
        money_columns=[7],
        date_columns=[9],
    )
