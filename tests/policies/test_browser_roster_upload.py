"""An operator loads an employer's roster in admin and reads the per-row report."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from policies.models import InsuredPerson
from tests.staff import staff_login

from .test_roster_import import GOOD, csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_uploads_a_roster_and_sees_rejected_rows(
    live_server, page, screenshot, demo, tmp_path
):
    operator = get_user_model().objects.create_superuser(phone="+79990009999", password="x")
    client = Client()
    staff_login(client, operator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    roster = tmp_path / "romashka-2026.csv"
    bad = [["Ошибкин", "Олег", "", "31.02.1990", "B-1", "", "Сотрудник", "", "", ""]]
    roster.write_bytes(csv_bytes(GOOD + bad))

    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Загрузки списков застрахованных").first.click()
    page.get_by_role("link", name="Добавить: загрузка списка застрахованных").click()
    page.get_by_label("Договор").select_option(label=str(demo["contract"]))
    page.get_by_label("Файл списка (XLSX или CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Загрузить").click()

    expect(
        page.get_by_text("добавлено 3, изменено 0, без изменений 0, отклонено 1")
    ).to_be_visible()
    report = page.get_by_role("table").filter(has_text="Причина")
    expect(report).to_contain_text("Дата рождения")
    expect(report).to_contain_text("не в формате ДД.ММ.ГГГГ")
    screenshot(page, "admin-roster-upload")
    assert InsuredPerson.objects.filter(policy_number__startswith="R-").count() == 3
