"""Who pays for a person and how he is reached: one rule (policies.services.payer), used by
the invoice run (Python and SQL), the notices of the debt path and the call list."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from accounts.models import User
from debts.services.overdue import overdue_apply
from notifications.models import Message
from policies.models import InsuredPerson
from policies.services.payer import (
    contacts_of,
    payer_contacts,
    payer_id_expression,
    payer_id_of,
    payer_sql,
)
from tests.debts.conftest import make_invoice, moscow  # noqa: F401 - a fixture


@pytest.fixture
def roster(demo):
    """The demo family plus an adult relative with an account of his own and a relative whose
    sponsor is not on the roster."""
    ivanov, ivanova = demo["ivanov"], demo["ivanova"]
    ivanov.user = User.objects.create_user("+79990000001", "Pass-2026!", email="iv@example.com")
    ivanov.save(update_fields=["user"])
    ivanova.user = User.objects.create_user("+79990000002", "Pass-2026!", email="m@example.com")
    ivanova.save(update_fields=["user"])
    orphan = InsuredPerson.objects.create(
        contract=ivanov.contract,
        program=ivanov.program,
        last_name="Кузнецова",
        first_name="Ольга",
        birth_date=dt.date(1960, 1, 1),
        policy_number="DMS-0009",
        category=InsuredPerson.Category.RELATIVE,
        policy_start=ivanov.policy_start,
        policy_end=ivanov.policy_end,
        phone="+79990000009",
    )
    return {**demo, "orphan": orphan}


def test_a_relative_is_paid_for_by_the_sponsor_even_with_an_account_of_his_own(roster):
    assert payer_id_of(roster["ivanova"]) == roster["ivanov"].pk
    assert payer_id_of(roster["sidorova"]) == roster["petrov"].pk
    assert payer_id_of(roster["ivanov"]) == roster["ivanov"].pk
    assert payer_id_of(roster["orphan"]) == roster["orphan"].pk  # no sponsor: pays himself


def test_the_queryset_and_sql_forms_give_the_same_payer(roster):
    people = InsuredPerson.objects.all()
    expected = {p.pk: payer_id_of(p) for p in people}
    annotated = dict(people.annotate(payer=payer_id_expression()).values_list("pk", "payer"))
    assert annotated == expected
    table = InsuredPerson._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id, {payer_sql('p')} FROM {table} p")  # noqa: S608
        assert dict(cursor.fetchall()) == expected


def test_contacts_are_the_accounts_or_the_roster_phone(roster):
    assert payer_contacts(roster["ivanova"]) == contacts_of(roster["ivanov"])
    assert contacts_of(roster["ivanov"]).email == "iv@example.com"
    orphan = contacts_of(roster["orphan"])
    assert (orphan.phone, orphan.email, orphan.user_id) == ("+79990000009", None, None)
    assert not contacts_of(roster["sidorova"]).reachable  # no account, no roster phone


def test_downgrade_notice_of_a_relative_with_his_own_account_goes_to_the_sponsor(
    roster,
    make_invoice,  # noqa: F811 - the fixture imported above
):
    """Before the rule was one, the invoice went to the sponsor but the downgrade notice to
    the relative's own account."""
    due = dt.date(2026, 4, 14)
    make_invoice(roster["ivanova"], due=due, payer=roster["ivanov"])
    with time_machine.travel(moscow(due + dt.timedelta(days=1), 1), tick=False):
        overdue_apply()
    recipients = set(
        Message.objects.filter(event="downgrade_emergency").values_list("recipient", flat=True)
    )
    assert recipients == {"+79990000001", "iv@example.com"}
