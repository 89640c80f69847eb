import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from franchise.demo import seed_activations
from franchise.models import CalendarOverride
from policies.models import Contract, Employer, InsuredPerson, Program
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser(phone="+79990009999", password="x")
    staff_login(client, user)
    return user


@pytest.fixture
def other_employer_activation(demo):
    from franchise.services import activation_record

    employer = Employer.objects.create(name="ООО «Лютик»", inn="7700000002")
    contract = Contract.objects.create(
        employer=employer,
        number="ДМС-2026-777",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    program = Program.objects.create(contract=contract, kind="full", name="Полная")
    person = InsuredPerson.objects.create(
        contract=contract,
        program=program,
        last_name="Лютиков",
        first_name="Лев",
        birth_date=dt.date(1988, 8, 8),
        policy_number="L-1",
        category="employee",
        policy_start=dt.date(2026, 1, 1),
        policy_end=dt.date(2026, 12, 31),
    )
    activation_record(
        person=person,
        by=None,
        ip=None,
        user_agent="",
        requested_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
        send_notifications=False,
    )
    return employer


def rows_of(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_activation_list_filters_by_employer_and_effective_date(
    client, operator, demo, other_employer_activation
):
    seed_activations()
    url = reverse("admin:franchise_franchiseactivation_changelist")
    html = client.get(url, {"employer": demo["employer"].pk}).content.decode()
    assert "DMS-0001" in html and "DMS-0002" in html and "L-1" not in html
    html = client.get(url, {"effective_date__gte": "2026-03-01"}).content.decode()
    assert "L-1" in html and "DMS-0001" not in html
    assert "Выгрузить в XLSX (по фильтру)" in html


def test_xlsx_export_follows_the_filters(client, operator, demo, other_employer_activation):
    seed_activations()
    url = reverse("admin:franchise_franchiseactivation_export")
    response = client.get(url, {"employer": demo["employer"].pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(response)
    assert rows[0][:5] == [
        "Страхователь",
        "Договор",
        "Застрахованный",
        "Дата рождения",
        "Номер полиса",
    ]
    assert sorted(r[4] for r in rows[1:]) == ["DMS-0001", "DMS-0002"]
    assert {r[9].date() for r in rows[1:]} == {dt.date(2026, 1, 12)}
    assert rows[1][0] == "ООО «Ромашка»"


def test_xlsx_export_action_on_selected_rows(client, operator, demo):
    activations = seed_activations()
    url = reverse("admin:franchise_franchiseactivation_changelist")
    response = client.post(url, {"action": "export_xlsx", "_selected_action": [activations[0].pk]})
    rows = rows_of(response)
    assert len(rows) == 2 and rows[1][4] == activations[0].person.policy_number


def test_export_needs_staff(client, demo, petrov_user):
    client.force_login(petrov_user)
    response = client.get(reverse("admin:franchise_franchiseactivation_export"))
    assert response.status_code == 302


def test_calendar_override_admin_shows_what_the_calendar_now_says(client, operator):
    CalendarOverride.objects.create(date=dt.date(2026, 1, 9), is_working=True, note="поправка")
    url = reverse("admin:franchise_calendaroverride_changelist")
    html = client.get(url).content.decode()
    assert "поправка" in html and "рабочий" in html
    response = client.post(
        reverse("admin:franchise_calendaroverride_add"),
        {"date": "13.03.2026", "is_working": "", "note": "указ №1"},
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get(note="указ №1").date == dt.date(2026, 3, 13)
