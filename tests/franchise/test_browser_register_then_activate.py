"""Issue 3's walk in one go: Петров registers through the real form, lands on «Мои полисы»,
and activates his deductible and then Сидорова's from the same page."""

import re

import pytest
from playwright.sync_api import expect

from franchise.calendar import next_working_day_after
from franchise.models import FranchiseActivation
from notifications.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+79995550003"


def sms_code(phone: str) -> str:
    message = Message.objects.filter(recipient=phone, channel="sms", sensitive=True).last()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_petrov_registers_then_activates_his_and_sidorovas_deductible(live_server, page, demo):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Регистрация").click()
    for label, value in {
        "Фамилия": "ПЕТРОВ",  # the roster match ignores case and ё/е
        "Имя": "Петр",
        "Отчество": "Петрович",
        "Дата рождения": "15.05.1990",
        "Полис / таб. номер": "1003",  # the employee number works as well as the policy
        "Моб. телефон": "8 999 555 00 03",
        "E-mail": "petrov@example.com",
        "Пароль": "Sosna-Luna-42",
        "Повторите пароль": "Sosna-Luna-42",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Я согласен и подтверждаю ознакомление с политикой обработки ПДн").check()
    page.get_by_role("button", name="Зарегистрироваться").click()

    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    page.get_by_label("Код из SMS").fill(sms_code(PHONE))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_role("heading", name="Мои полисы")).to_be_visible()

    petrov = page.get_by_role("region", name="Петров Пётр Петрович")
    sidorova = page.get_by_role("region", name="Сидорова Анна Сергеевна")
    expect(petrov).to_contain_text("Не активирована")
    expect(sidorova).to_contain_text("DMS-0004")

    expected = f"Будет активна с {next_working_day_after():%d.%m.%Y}"
    for card in (petrov, sidorova):
        card.get_by_label("Я подтверждаю и даю согласие").check()
        card.get_by_role("button", name="Отправить").click()
        expect(card).to_contain_text(expected)

    activations = FranchiseActivation.objects.filter(requested_by__phone=PHONE)
    assert sorted(activations.values_list("person__policy_number", flat=True)) == [
        "DMS-0003",
        "DMS-0004",
    ]
