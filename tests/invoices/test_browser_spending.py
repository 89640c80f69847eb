"""«Мои расходы» in a real browser, on the demo data of seed_demo (SPEC §4): the demo user
logs in, opens the tab from «Мои счета», picks the year, reads the totals, the chart and its
table, and downloads the XLSX, which has the same numbers and a bar chart."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# seed_demo dates its lines by the day it runs: seeded on 20.11.2026, the paid invoice's line
# is in September and the rest in October 2026, whatever day the test runs.
SEEDED_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded(settings, staff_group, faq_seeded):
    staff_group("Операторы")  # a transactional test flushed the groups seed_demo's staff join
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


def money(text: str) -> re.Pattern:
    return re.compile(text.replace(" ", r"\s*"))


def test_the_demo_user_reads_his_spending_and_downloads_it(live_server, page, seeded, screenshot):
    page.goto(live_server.url + "/")
    page.get_by_label("Номер телефона").fill("9990000001")
    page.get_by_label("Пароль", exact=True).fill("Demo-2026!")
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Мои счета").first.click()
    page.get_by_role("link", name="Мои расходы").click()
    expect(page.get_by_role("link", name="Мои расходы")).to_have_attribute("aria-current", "page")
    page.get_by_label("Год", exact=True).select_option("2026")
    page.get_by_role("button", name="Показать").click()

    totals = page.locator(".spending-totals")
    # Иванов: 1,00 paid (September) and 0,80 new (October); his child: 1,00 with 0,50 of it
    # covered by her deposit (October).
    expect(totals.locator("div", has_text="Начислено")).to_have_text(money("Начислено 2,80 ₽"))
    expect(totals.locator("div", has_text="Оплачено")).to_have_text(money("Оплачено 1,50 ₽"))
    expect(totals.locator("div", has_text="К оплате")).to_have_text(money("К оплате 1,30 ₽"))

    chart = page.get_by_role("img", name="Сооплата по месяцам за 2026 год")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar-paid")).to_have_count(2)  # September and October
    expect(chart.locator("rect.bar-owed")).to_have_count(1)  # October only
    table = page.get_by_role("table", name="Сооплата по месяцам за 2026 год")
    expect(table.get_by_role("row", name=re.compile("Сентябрь"))).to_have_text(
        money("Сентябрь 1,00 ₽ 1,00 ₽ 0,00 ₽")
    )
    expect(table.get_by_role("row", name=re.compile("Октябрь"))).to_have_text(
        money("Октябрь 1,80 ₽ 0,50 ₽ 1,30 ₽")
    )
    people = page.get_by_role("region", name="По застрахованным")
    expect(people.get_by_role("row", name=re.compile("Иванова Мария"))).to_have_text(
        money("Иванова Мария Ивановна 1,00 ₽ 0,50 ₽ 0,50 ₽")
    )
    clinics = page.get_by_role("region", name="По клиникам")
    expect(clinics.get_by_role("row", name=re.compile("Здоровье"))).to_have_text(
        money("Клиника «Здоровье» 2,80 ₽ 1,50 ₽ 1,30 ₽")
    )
    screenshot(page, "spending")
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать XLSX").click()
    download = info.value
    assert download.suggested_filename == "moi-raskhody-2026.xlsx"
    path = ARTIFACTS.parent / "moi-raskhody-2026.xlsx"
    download.save_as(path)
    book = load_workbook(path)
    sheet = book["Мои расходы"]
    rows = {
        r[0]: tuple(float(v) for v in r[1:4])
        for r in sheet.iter_rows(min_row=4, values_only=True)
        if r[0]
    }
    assert rows["сентябрь"] == (1.0, 1.0, 0.0)
    assert rows["октябрь"] == (1.8, 0.5, 1.3)
    assert rows["Итого"] == (2.8, 1.5, 1.3)
    assert len(sheet._charts) == 1 and sheet._charts[0].tagname == "barChart"


def test_a_bad_year_in_the_address_gets_an_answer(live_server, page, seeded):
    page.goto(live_server.url + "/")
    page.get_by_label("Номер телефона").fill("9990000001")
    page.get_by_label("Пароль", exact=True).fill("Demo-2026!")
    page.get_by_role("button", name="Войти").click()
    page.goto(live_server.url + "/invoices/spending/?year=abc")
    expect(page.get_by_role("alert")).to_have_text("Год указан неверно: выберите год из списка.")
    page.get_by_label("Год", exact=True).select_option("2026")
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_role("img", name="Сооплата по месяцам за 2026 год")).to_be_visible()
