"""Debt-path fixtures: the demo roster with accounts, and invoices built with the ORM."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from dms_portal.clock import MOSCOW
from invoices.models import Invoice

_seq = itertools.count(1)


@pytest.fixture
def people(demo):
    """Иванов (registered, auto-restore contract), his child, Петров (not registered)."""
    from accounts.models import User
    from policies.models import InsuredPerson

    ivanov = InsuredPerson.objects.get(policy_number="DMS-0001")
    child = InsuredPerson.objects.get(policy_number="DMS-0002")
    petrov = InsuredPerson.objects.get(policy_number="DMS-0003")
    user = User.objects.create_user(
        "+79990000001", "Demo-2026!", email="ivanov@example.com", first_name="Иван"
    )
    ivanov.user = user
    ivanov.save(update_fields=["user"])
    petrov.phone = "+79990000003"
    petrov.save(update_fields=["phone"])
    return {"ivanov": ivanov, "child": child, "petrov": petrov, "user": user}


@pytest.fixture
def make_invoice():
    def make(
        person,
        *,
        due: dt.date,
        amount: str = "100.00",
        formed: dt.date | None = None,
        status: str = Invoice.Status.NEW,
        payer=None,
    ) -> Invoice:
        n = next(_seq)
        formed = formed or due - dt.timedelta(days=42)
        return Invoice.objects.create(
            number=f"{formed.year}/{formed.month:02d}/{n}",
            period_year=formed.year,
            period_month=formed.month,
            sequence=n,
            contract=person.contract,
            person=person,
            payer=payer or person.sponsor or person,
            formed_at=dt.datetime.combine(formed, dt.time(12), tzinfo=MOSCOW),
            due_date=due,
            copay_total=Decimal(amount),
            amount_due=Decimal(amount),
            status=status,
        )

    return make


def moscow(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=MOSCOW)
