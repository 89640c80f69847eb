"""«Стоимость услуги» as a person uses it (SPEC §3.8), and an operator loading a price list."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clinics.demo import seed_clinics
from dms_portal.money import format_rub, percent_of
from invoices.demo import seed_prices
from tests.staff import totp_device, totp_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = (
    "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)


def test_the_demo_user_finds_a_service_price_and_his_share(
    live_server, page, screenshot, demo, ivanov_user
):
    seed_clinics()
    seed_prices()  # samples/pricelist_demo.csv, as seed_demo loads it
    page.goto(live_server.url + "/")
    page.get_by_label("Номер телефона").fill("+7 999 000-00-01")
    page.get_by_label("Пароль", exact=True).fill("Test-pass-2026!")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Мои полисы")).to_be_visible()
    screenshot(page, "my-policies")

    page.get_by_role("link", name="Стоимость услуги").click()
    expect(page.get_by_role("heading", name="Стоимость услуги")).to_be_visible()
    expect(page.get_by_text("Введите название услуги")).to_be_visible()
    screenshot(page, "prices-empty")

    # The list says «Приём врача-терапевта первичный»; the person types other forms.
    page.get_by_label("Название услуги").fill("приема терапевтов")
    page.get_by_role("button", name="Найти").click()
    row = page.locator(".price-row").filter(has_text="Приём врача-терапевта первичный")
    expect(row).to_have_count(1)
    expect(row.locator("td[data-label='Клиника']")).to_have_text("Клиника «Здоровье»")
    expect(row.locator(".price-row__price")).to_have_text("1\u00a0520,80\u00a0₽")
    # «Ваша доля»: the contract's 20 % of 1 520,80 ₽ to the kopeck.
    share = percent_of(Decimal("1520.80"), demo["ivanov"].contract.franchise_percent)
    assert share == Decimal("304.16")
    expect(row.locator(".price-row__share")).to_have_text(format_rub(share))
    expect(page.get_by_text("Итоговая сумма определяется реестром клиники.")).to_be_visible()
    screenshot(page, "prices-results")

    page.set_viewport_size({"width": 390, "height": 800})
    expect(row.locator(".price-row__share")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # Only one clinic chosen, no words: its whole price list.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Название услуги").fill("")
    page.get_by_label("Клиника").select_option(label="Клиника «Здоровье»")
    page.get_by_role("button", name="Найти").click()
    expect(page.locator(".price-row")).to_have_count(10)
    page.get_by_label("Название услуги").fill("томография")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_text("По запросу «томография» цен не найдено.")).to_be_visible()


def test_an_operator_loads_a_price_list_and_reads_its_report(
    live_server, page, screenshot, tmp_path, django_user_model, staff_group, demo
):
    seed_clinics()
    operator = django_user_model.objects.create_user(
        "+79990009999", "Operator-2026!", is_staff=True
    )
    operator.groups.add(staff_group("Операторы"))
    totp_device(operator)
    path = tmp_path / "pricelist-2026.csv"
    path.write_text(
        "Код ЛПУ;Код услуги;Наименование услуги;Цена;Действует с\n"
        "7701000001;B01.047.001;Приём врача-терапевта первичный;1 520,80;01.01.2026\n"
        "7701000001;B01.047.001;Приём врача-терапевта первичный;1 530,00;01.01.2026\n"
        "7709999999;B01.031.001;Приём врача-педиатра;2 200,00;01.01.2026\n"
        "7701000001;B03.016.003;Общий анализ крови;650,00;31.13.2026\n",
        encoding="utf-8",
    )
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Моб. телефон").fill("+79990009999")
    page.get_by_label("Пароль").fill("Operator-2026!")
    page.get_by_label("Код из приложения-аутентификатора").fill(totp_token(operator))
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Прейскуранты клиник").click()
    page.get_by_role("link", name="Добавить: прейскурант клиник").click()
    page.get_by_label("Файл прейскуранта (XLSX или CSV)").set_input_files(str(path))
    page.get_by_role("button", name="Загрузить").click()
    expect(
        page.get_by_text("Загружено: 1, без изменений: 0, отклонено: 2, дубликаты: 1.")
    ).to_be_visible()
    expect(
        page.get_by_text("Клиники с кодом «7709999999» нет в справочнике клиник", exact=True)
    ).to_be_visible()
    expect(
        page.get_by_text("Неверная дата «31.13.2026» (ожидается ДД.ММ.ГГГГ)", exact=True)
    ).to_be_visible()
    duplicate = "Повтор строки 2: та же клиника, код услуги и дата «Действует с»"
    expect(page.get_by_text(duplicate, exact=True)).to_be_visible()
    screenshot(page, "admin-pricelist-report")
