import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from debts.models import ProgrammeDowngrade
from debts.selectors import downgrade_notice_context
from debts.services.overdue import overdue_apply, person_restore_if_settled
from invoices.models import Invoice
from invoices.services.status import invoice_mark_paid
from tests.staff import staff_login

from .conftest import moscow

DUE = dt.date(2026, 4, 14)
D = ProgrammeDowngrade.Status


@pytest.fixture
def operator(db, django_user_model):
    return django_user_model.objects.create_superuser("+79995550000", "Operator-2026!")


@pytest.fixture
def downgraded(people, make_invoice):
    invoice = make_invoice(people["ivanov"], due=DUE, amount="240.00")
    with time_machine.travel(moscow(DUE + dt.timedelta(days=1), 10), tick=False):
        overdue_apply()
    return invoice


def test_restore_action_restores_a_queued_person(people, downgraded, operator, client):
    contract = people["ivanov"].contract
    contract.auto_restore = False
    contract.save(update_fields=["auto_restore"])
    invoice_mark_paid(invoice_ids=[downgraded.pk], paid_at=moscow(DUE), reference="bank")
    person_restore_if_settled(people["ivanov"])
    downgrade = ProgrammeDowngrade.objects.get()
    assert downgrade.status == D.AWAITING_OPERATOR
    staff_login(client, operator)
    listing = client.get(reverse("admin:debts_programmedowngrade_changelist"))
    assert "Оплачено, ждёт оператора" in listing.content.decode()
    response = client.post(
        reverse("admin:debts_programmedowngrade_changelist"),
        {"action": "restore", "_selected_action": [downgrade.pk]},
        follow=True,
    )
    assert "Восстановлено: 1 программа." in response.content.decode()
    downgrade.refresh_from_db()
    assert (downgrade.status, downgrade.restored_by) == (D.RESTORED, operator)


def test_restore_action_refuses_a_person_who_still_owes(people, downgraded, operator, client):
    staff_login(client, operator)
    response = client.post(
        reverse("admin:debts_programmedowngrade_changelist"),
        {"action": "restore", "_selected_action": [ProgrammeDowngrade.objects.get().pk]},
        follow=True,
    )
    assert "есть неоплаченные просроченные счета" in response.content.decode()
    assert ProgrammeDowngrade.objects.get().status == D.ACTIVE


def test_call_list_page_queries_do_not_grow_with_payers(
    people, make_invoice, operator, client, django_assert_max_num_queries
):
    for person in (people["ivanov"], people["petrov"]):
        make_invoice(person, due=DUE, status=Invoice.Status.OVERDUE)
    staff_login(client, operator)
    url = reverse("admin:debts_debtor_changelist")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get(url)
    make_invoice(people["child"], due=DUE, status=Invoice.Status.OVERDUE)
    sidorova = people["petrov"].relatives.get()
    make_invoice(sidorova, due=DUE, status=Invoice.Status.OVERDUE)
    with django_assert_max_num_queries(len(two.captured_queries)):
        client.get(url)


def test_downgrade_notice_says_what_happened_and_what_to_do(people, downgraded):
    context = downgrade_notice_context(people["ivanov"])
    html = render_to_string("debts/_policy_downgrade_notice.html", {"downgrade_notice": context})
    assert "Действует только экстренная помощь через медицинский пульт" in html
    assert downgraded.number in html and "14.04.2026" in html
    assert "8 800 000-00-01" in html
    assert "240,00" in html
    assert "восстановится автоматически после оплаты" in html
    assert reverse("invoices:my_invoices") in html
    assert downgrade_notice_context(people["child"]) is None
    assert render_to_string("debts/_policy_downgrade_notice.html", {}).strip() == ""


def test_downgrade_notice_while_waiting_for_the_operator(people, downgraded):
    contract = people["ivanov"].contract
    contract.auto_restore = False
    contract.save(update_fields=["auto_restore"])
    invoice_mark_paid(invoice_ids=[downgraded.pk], paid_at=moscow(DUE), reference="bank")
    person_restore_if_settled(people["ivanov"])
    html = render_to_string(
        "debts/_policy_downgrade_notice.html",
        {"downgrade_notice": downgrade_notice_context(people["ivanov"])},
    )
    assert "Оплата получена, восстановление программы передано оператору" in html


def test_downgrade_notice_tag_for_the_policy_card(people, downgraded):
    from django.template import Context, Template

    template = Template("{% load debts_tags %}{% downgrade_notice person %}")
    # The page renders the person as loaded now (the tag trusts his programme, which the
    # nightly job changed in the database, not in the fixture's object).
    people["ivanov"].refresh_from_db()
    html = template.render(Context({"person": people["ivanov"]}))
    assert "Действует только экстренная помощь" in html
    assert template.render(Context({"person": people["petrov"]})).strip() == ""
