"""An operator works the call list, logs a call, exports it, and restores a programme."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from debts.models import CallLog, ProgrammeDowngrade
from debts.services.overdue import overdue_apply, person_restore_if_settled
from dms_portal import clock
from invoices.models import Invoice
from invoices.services.status import invoice_mark_paid
from tests.staff import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server):
    operator = get_user_model().objects.create_superuser(phone="+79990009999", password="x")
    client = Client()
    staff_login(client, operator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return operator


def test_operator_logs_a_call_from_the_call_list_and_exports_it(
    live_server, page, screenshot, people, make_invoice, tmp_path
):
    today = clock.moscow_today()
    make_invoice(
        people["ivanov"], due=today - dt.timedelta(days=40), amount="240.00",
        status=Invoice.Status.OVERDUE,
    )  # fmt: skip
    make_invoice(
        people["petrov"], due=today - dt.timedelta(days=3), amount="12.50",
        status=Invoice.Status.OVERDUE,
    )  # fmt: skip
    operator = _login(page, live_server)
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Список обзвона должников").click()
    table = page.get_by_role("table")
    ivanov_row = table.get_by_role("row").filter(has_text="Иванов Иван Иванович")
    expect(ivanov_row).to_contain_text("+79990000001")
    expect(ivanov_row).to_contain_text("240,00")
    expect(ivanov_row).to_contain_text("40")
    expect(table.get_by_role("row").filter(has_text="Петров Пётр Петрович")).to_contain_text(
        "+79990000003"
    )
    screenshot(page, "admin-call-list")

    ivanov_row.get_by_role("link", name="Записать звонок").click()
    page.get_by_label("Результат").select_option(label="Обещал оплатить")
    page.get_by_label("Обещанная дата оплаты").fill(
        (today + dt.timedelta(days=5)).strftime("%d.%m.%Y")
    )
    page.get_by_label("Комментарий").fill("Оплатит после зарплаты")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Звонок записан: Иванов Иван Иванович")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Иванов Иван Иванович")).to_contain_text(
        today.strftime("%d.%m.%Y")
    )
    call = CallLog.objects.get()
    assert (call.operator, call.outcome) == (operator, CallLog.Outcome.PROMISED)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Выгрузить список в XLSX").click()
    path = tmp_path / "call-list.xlsx"
    download_info.value.save_as(path)
    import openpyxl

    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[2:]] == ["Иванов Иван Иванович", "Петров Пётр Петрович"]


def test_operator_restores_the_programme_of_a_person_who_paid(
    live_server, page, screenshot, people, make_invoice
):
    contract = people["ivanov"].contract
    contract.auto_restore = False
    contract.save(update_fields=["auto_restore"])
    today = clock.moscow_today()
    invoice = make_invoice(people["ivanov"], due=today - dt.timedelta(days=2))
    overdue_apply()
    invoice_mark_paid(invoice_ids=[invoice.pk], paid_at=clock.now(), reference="bank")
    person_restore_if_settled(people["ivanov"])
    _login(page, live_server)
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Переводы на экстренную помощь").click()
    row = page.get_by_role("row").filter(has_text="Иванов Иван Иванович")
    expect(row).to_contain_text("Оплачено, ждёт оператора")
    row.get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Действие").select_option(label="Восстановить")
    page.get_by_role("button", name="Выполнить").click()
    expect(page.get_by_text("Восстановлено: 1 программа.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Иванов Иван Иванович")).to_contain_text(
        "Программа восстановлена"
    )
    screenshot(page, "admin-downgrade-restored")
    assert ProgrammeDowngrade.objects.get().status == ProgrammeDowngrade.Status.RESTORED


def test_downgraded_user_sees_the_notice_on_my_policies_and_goes_to_pay(
    live_server, page, screenshot, people, make_invoice
):
    today = clock.moscow_today()
    invoice = make_invoice(people["ivanov"], due=today - dt.timedelta(days=3), amount="240.00")
    overdue_apply()
    client = Client()
    client.force_login(people["user"])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/policies/")
    card = page.locator("section").filter(has_text="DMS-0001")
    notice = card.get_by_role("alert")
    expect(notice).to_contain_text("Действует только экстренная помощь через медицинский пульт")
    expect(notice).to_contain_text(invoice.number)
    expect(notice).to_contain_text("8 800 000-00-01")
    expect(notice).to_contain_text("восстановится автоматически после оплаты")
    # The child's policy card has no notice: only Иванов owes.
    expect(page.locator("section").filter(has_text="DMS-0002").get_by_role("alert")).to_have_count(
        0
    )
    screenshot(page, "my-policies-downgrade-notice")
    notice.get_by_role("link", name="Перейти к оплате счетов").click()
    expect(page).to_have_url(live_server.url + "/invoices/")
