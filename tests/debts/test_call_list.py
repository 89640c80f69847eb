import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from debts.models import CallLog
from debts.selectors import call_list
from debts.services.calls import call_log
from invoices.models import Invoice, InvoiceCorrection
from tests.staff import staff_login

from .conftest import moscow

TODAY = dt.date(2026, 6, 10)
OVERDUE = Invoice.Status.OVERDUE


@pytest.fixture
def debts(people, make_invoice):
    ivanov, child, petrov = people["ivanov"], people["child"], people["petrov"]
    make_invoice(ivanov, due=dt.date(2026, 5, 1), amount="100.00", status=OVERDUE)
    make_invoice(child, due=dt.date(2026, 4, 1), amount="50.50", status=OVERDUE)  # Иванов pays it
    corrected = make_invoice(ivanov, due=dt.date(2026, 5, 20), amount="30.00", status=OVERDUE)
    InvoiceCorrection.objects.create(
        invoice=corrected, number="К-1", created_at=moscow(TODAY), reason="x", amount="10.00"
    )
    make_invoice(ivanov, due=dt.date(2026, 7, 1), amount="999.00")  # not overdue
    make_invoice(petrov, due=dt.date(2026, 6, 1), amount="20.00", status=OVERDUE)
    make_invoice(petrov, due=dt.date(2026, 3, 1), amount="70.00", status=Invoice.Status.PAID)
    return people


@pytest.fixture
def operator(db, django_user_model):
    return django_user_model.objects.create_superuser("+79995550000", "Operator-2026!")


def test_call_list_has_overdue_payers_with_debt_and_oldest_due(debts):
    rows = {p.policy_number: p for p in call_list()}
    assert set(rows) == {"DMS-0001", "DMS-0003"}
    assert rows["DMS-0001"].debt == Decimal("170.50")  # 100 + 50.50 + (30 − 10)
    assert rows["DMS-0001"].overdue_count == 3
    assert rows["DMS-0001"].oldest_due == dt.date(2026, 4, 1)
    assert rows["DMS-0003"].debt == Decimal("20.00")
    assert rows["DMS-0001"].last_contact is None


def test_last_contact_is_the_latest_call(debts, operator):
    ivanov = debts["ivanov"]
    call_log(person=ivanov, outcome=CallLog.Outcome.NO_ANSWER, operator=operator, at=moscow(TODAY))
    latest = call_log(
        person=ivanov,
        outcome=CallLog.Outcome.PROMISED,
        operator=operator,
        promised_date=TODAY,
        at=moscow(TODAY, 15),
    )
    row = call_list().get(pk=ivanov.pk)
    assert row.last_contact == latest.at


def test_call_list_page_shows_payers_and_logs_a_call(debts, operator, client):
    staff_login(client, operator)
    with time_machine.travel(moscow(TODAY, 12), tick=False):
        page = client.get(reverse("admin:debts_debtor_changelist"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Иванов Иван Иванович" in html and "Петров Пётр Петрович" in html
    assert "170,50" in html
    assert "+79990000003" in html
    assert ">70<" in html  # days overdue of Иванов's oldest invoice (01.04 → 10.06)
    add_url = reverse("admin:debts_calllog_add") + f"?person={debts['ivanov'].pk}"
    assert add_url in html
    # The same day as the page: a jump of months would end the staff session (30 min idle).
    with time_machine.travel(moscow(TODAY, 12, 5), tick=False):
        response = client.post(
            add_url,
            {"person": debts["ivanov"].pk, "outcome": "promised", "promised_date": "15.06.2026"},
        )
    assert response.status_code == 302
    entry = CallLog.objects.get()
    assert entry.operator == operator and entry.promised_date == dt.date(2026, 6, 15)
    with time_machine.travel(moscow(TODAY, 12, 10), tick=False):
        html = client.get(reverse("admin:debts_debtor_changelist")).content.decode()
    assert clock_date(entry.at) in html


def clock_date(moment):
    from dms_portal.clock import to_moscow_date

    return to_moscow_date(moment).strftime("%d.%m.%Y")


def test_call_list_exports_to_xlsx(debts, operator, client):
    staff_login(client, operator)
    with time_machine.travel(moscow(TODAY, 12), tick=False):
        response = client.get(reverse("admin:debts_debtor_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Список обзвона должников на 10.06.2026",) + (None,) * 8
    assert rows[1][0] == "Плательщик"
    assert [(r[0], r[1], r[3], r[5], r[6], r[7]) for r in rows[2:]] == [
        ("Иванов Иван Иванович", "DMS-0001", "+79990000001", 3, 170.5, 70),
        ("Петров Пётр Петрович", "DMS-0003", "+79990000003", 1, 20, 9),
    ]


def test_call_list_is_for_staff_only(debts, client, people):
    client.force_login(people["user"])
    response = client.get(reverse("admin:debts_debtor_export"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
