"""«Мои полисы» tells a person on emergency-only care why and what to do (issue 7, item 3)."""

import datetime as dt
from decimal import Decimal

import pytest

from debts.services.overdue import overdue_apply
from dms_portal.clock import MOSCOW
from invoices.models import Invoice


def _overdue_invoice(person, *, due: dt.date) -> Invoice:
    formed = due - dt.timedelta(days=42)
    return Invoice.objects.create(
        number=f"{formed.year}/{formed.month:02d}/1",
        period_year=formed.year,
        period_month=formed.month,
        sequence=1,
        contract=person.contract,
        person=person,
        payer=person,
        formed_at=dt.datetime.combine(formed, dt.time(12), tzinfo=MOSCOW),
        due_date=due,
        copay_total=Decimal("120.00"),
        amount_due=Decimal("120.00"),
    )


@pytest.mark.django_db
def test_policy_card_shows_emergency_only_notice_with_what_to_do(client, demo, ivanov_user):
    ivanov = demo["ivanov"]
    _overdue_invoice(ivanov, due=dt.date(2026, 10, 1))
    overdue_apply(today=dt.date(2026, 10, 5))

    client.force_login(ivanov_user)
    page = client.get("/policies/").content.decode()

    assert "Действует только экстренная помощь через медицинский пульт" in page
    assert "2026/08/1" in page
    assert "120,00" in page
    assert "восстановится автоматически после оплаты" in page


@pytest.mark.django_db
def test_policy_card_has_no_notice_while_programme_is_full(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    page = client.get("/policies/").content.decode()
    assert "DMS-0001" in page
    assert "Действует только экстренная помощь" not in page
