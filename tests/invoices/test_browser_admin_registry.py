"""An operator uploads a registry in admin, sees its counts and downloads the problems report;
then annuls an invoice with a reason."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from invoices.models import Invoice
from invoices.services.invoicing import invoice_run
from tests.staff import totp_token

from .conftest import activate, line, write_registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("+79990009999", "Operator-2026!")


def login(page, live_server, operator):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Моб. телефон").fill("+79990009999")
    page.get_by_label("Пароль").fill("Operator-2026!")
    # The admin's second factor (issue #18): the current code of the operator's TOTP device.
    page.get_by_label("Код из приложения-аутентификатора").fill(totp_token(operator))
    page.get_by_role("button", name="Войти").click()


def test_operator_uploads_a_registry_and_downloads_its_report(
    live_server, page, screenshot, operator, demo, tmp_path
):
    activate(demo["ivanov"])
    path = write_registry(
        tmp_path / "registry-oct.csv",
        [line("A-1"), line("A-2", qty="2", amount="5,00"), line("H-1", policy="DMS-9999")],
    )
    login(page, live_server, operator)
    page.goto(live_server.url + "/admin/invoices/serviceregistry/add/")
    page.get_by_label("Файл реестра (XLSX или CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Загружен", exact=True).first).to_be_visible()
    expect(page.get_by_text("Полис не найден в списке застрахованных", exact=True)).to_be_visible()
    expect(
        page.get_by_role(
            "cell", name="Сумма 5.00 не равна количеству × цене (2 × 1.00 = 2.00)", exact=True
        )
    ).to_be_visible()
    screenshot(page, "admin-registry-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать проблемы строк (XLSX)").click()
    assert download.value.suggested_filename.endswith("-problems.xlsx")

    page.goto(live_server.url + "/admin/invoices/heldserviceline/")
    expect(page.get_by_role("link", name="H-1")).to_be_visible()


def test_operator_annuls_an_invoice_with_a_reason(
    live_server, page, screenshot, operator, demo, tmp_path
):
    from invoices.registry.importer import registry_import_file

    activate(demo["ivanov"])
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), tick=False):
        registry_import_file(path=write_registry(tmp_path / "r.csv", [line("A-1")]))
    (invoice,) = invoice_run(
        period=(2026, 10), now=dt.datetime(2026, 11, 25, 7, tzinfo=dt.UTC), notify=False
    )
    login(page, live_server, operator)
    page.goto(live_server.url + "/admin/invoices/invoice/")
    page.get_by_role("checkbox", name=f"Счёт {invoice.number}").check()
    page.get_by_role("combobox", name="Действие").select_option(label="Аннулировать…")
    page.get_by_role("button", name="Выполнить").click()
    page.get_by_label("Причина аннулирования").fill("Клиника отозвала реестр")
    page.get_by_label("Вернуть в невыставленные (войдут в следующий счёт)").check()
    screenshot(page, "admin-invoice-annul")
    page.get_by_role("button", name="Аннулировать").click()
    expect(page.get_by_text("Аннулировано: 1 счёт.")).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ANNULLED
    assert invoice.annul_reason == "Клиника отозвала реестр"


def test_operator_retries_an_interrupted_import_and_records_a_deposit(
    live_server, page, screenshot, operator, demo, tmp_path
):
    from invoices.models import ServiceRegistry
    from invoices.registry.importer import registry_create

    activate(demo["ivanov"])
    registry = registry_create(path=write_registry(tmp_path / "r.csv", [line("A-1")]))
    # A worker killed mid-import: «Загружается», its last heartbeat an hour ago.
    ServiceRegistry.objects.filter(pk=registry.pk).update(
        status="running", heartbeat_at=dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
    )
    login(page, live_server, operator)
    page.goto(live_server.url + "/admin/invoices/serviceregistry/")
    expect(page.get_by_text("Прервана", exact=True)).to_be_visible()
    page.goto(live_server.url + f"/admin/invoices/serviceregistry/{registry.pk}/change/")
    screenshot(page, "admin-registry-interrupted")
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), tick=False):
        page.get_by_role("button", name="Повторить загрузку").click()
        expect(page.get_by_text("Загрузка поставлена в очередь заново: 1 реестр.")).to_be_visible()
    expect(page.get_by_text("Загружен", exact=True).first).to_be_visible()

    page.goto(live_server.url + "/admin/invoices/serviceregistry/add/")
    screenshot(page, "admin-registry-upload")
    page.goto(live_server.url + "/admin/invoices/depositentry/add/")
    page.get_by_label("Полис родственника").select_option(label=str(demo["ivanova"]))
    page.get_by_label("Сумма взноса, ₽").fill("0")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Сумма взноса должна быть больше нуля")).to_be_visible()
    page.get_by_label("Сумма взноса, ₽").fill("500")
    screenshot(page, "admin-deposit-add")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Взнос записан: 500,00")).to_be_visible()
