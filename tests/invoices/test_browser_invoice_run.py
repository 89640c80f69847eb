"""An operator («Операторы», not a superuser) starts the invoice run in admin and sees it
finish with the number of invoices formed (issue #13)."""

import pytest
from playwright.sync_api import expect

from invoices.models import Invoice
from invoices.registry.importer import registry_import_file
from invoices.services.invoicing import last_closed_period
from tests.staff import totp_token

from .conftest import activate, line, write_registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_starts_the_invoice_run_and_sees_the_count(
    live_server, page, screenshot, demo, tmp_path, django_user_model, staff_group
):
    year, month = last_closed_period()
    activate(demo["ivanov"])
    activate(demo["ivanova"])
    day = f"15.{month:02d}.{year}"
    rows = [
        line("A-1", date=day),
        line(
            "C-1",
            policy="DMS-0002",
            last="Иванова",
            first="Мария",
            patronymic="Ивановна",
            birth="10.06.2015",
            date=day,
        ),
    ]
    registry_import_file(path=write_registry(tmp_path / "r.csv", rows))
    operator = django_user_model.objects.create_user(
        "+79990008888", "Operator-2026!", is_staff=True
    )
    operator.groups.add(staff_group("Операторы"))
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Моб. телефон").fill("+79990008888")
    page.get_by_label("Пароль").fill("Operator-2026!")
    page.get_by_label("Код из приложения-аутентификатора").fill(totp_token(operator))
    page.get_by_role("button", name="Войти").click()
    page.goto(live_server.url + "/admin/invoices/invoicerun/")
    page.get_by_role("link", name="Запустить выставление счетов").click()
    screenshot(page, "admin-invoice-run-start")
    page.get_by_role("button", name="Запустить").click()
    expect(page.get_by_text("Завершено", exact=True)).to_be_visible(timeout=15000)
    expect(page.get_by_text("Сформировано: 2 счёта")).to_be_visible()
    screenshot(page, "admin-invoice-run-done")
    assert Invoice.objects.count() == 2
