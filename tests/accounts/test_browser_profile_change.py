"""A person changes his phone through «Личные данные» in real Chromium (pen-test #10 item 7):
the current password, a code to the OLD phone, then a code to the new one; and the path for a
lost old phone («Нет доступа к старому номеру» → a link to the confirmed e-mail)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.demo import seed_accounts
from accounts.models import User
from notifications.models import Message
from policies.demo import seed_policies

from .conftest import last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def roster(db):
    people = seed_policies()
    seed_accounts()
    return people


def login_to_profile(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_label("Номер телефона").fill("9990000001")
    page.get_by_label("Пароль", exact=True).fill("Demo-2026!")
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Личные данные").click()
    expect(page.get_by_role("heading", name="Личные данные", exact=True)).to_be_visible()


def ask_for_new_phone(page, password):
    section = page.get_by_role("region", name="Изменить телефон")
    section.get_by_label("Новый номер телефона").fill("999 777-66-55")
    section.get_by_label("Текущий пароль").fill(password)
    section.get_by_role("button", name="Получить код").click()


def test_phone_change_asks_the_password_then_a_code_to_the_old_phone(
    live_server, page, roster, screenshot
):
    login_to_profile(page, live_server)
    screenshot(page, "accounts-profile-change-form")

    ask_for_new_phone(page, "not-my-password")
    expect(page.get_by_text("Текущий пароль введён неверно.", exact=True)).to_be_visible()
    assert not Message.objects.filter(recipient="+79997776655").exists()

    ask_for_new_phone(page, "Demo-2026!")
    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    expect(page.get_by_text("код отправлен на ваш нынешний номер")).to_be_visible()
    expect(page.get_by_text("+7 999 000-00-01")).to_be_visible()
    expect(page.get_by_role("button", name="Нет доступа к старому номеру")).to_be_visible()
    screenshot(page, "accounts-profile-change-old-phone")
    page.get_by_label("Код из SMS").fill(last_code("+79990000001"))
    page.get_by_role("button", name="Подтвердить").click()

    expect(page.get_by_text("+7 999 777-66-55")).to_be_visible()
    page.get_by_label("Код из SMS").fill(last_code("+79997776655"))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Номер телефона изменён на +7 999 777-66-55")).to_be_visible()
    assert User.objects.filter(phone="+79997776655").exists()


def test_lost_old_phone_goes_through_the_confirmed_email(live_server, page, roster, screenshot):
    login_to_profile(page, live_server)
    ask_for_new_phone(page, "Demo-2026!")
    page.get_by_role("button", name="Нет доступа к старому номеру").click()
    expect(page.get_by_text("Мы отправили ссылку на ваш подтверждённый e-mail")).to_be_visible()
    body = Message.objects.filter(recipient="ivanov@example.com").last().body
    link = re.search(r"https?://\S+", body).group(0)
    page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
    expect(page.get_by_role("heading", name="Подтверждение смены данных")).to_be_visible()
    screenshot(page, "accounts-profile-change-link")
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_role("heading", name="Смена номера подтверждена")).to_be_visible()
    screenshot(page, "accounts-profile-change-approved")
    page.get_by_role("button", name="Отправить код на новый номер").click()
    page.get_by_label("Код из SMS").fill(last_code("+79997776655"))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Номер телефона изменён на +7 999 777-66-55")).to_be_visible()


def test_an_address_with_many_failures_waits_with_its_own_message(
    live_server, page, roster, screenshot, settings
):
    settings.LOGIN_FAILURES_PER_IP = 3  # the default is 100; the rule is the same
    page.goto(live_server.url + "/")
    for n in range(3):
        page.get_by_label("Номер телефона").fill(f"99900001{n:02d}")
        page.get_by_label("Пароль", exact=True).fill("guess")
        page.get_by_role("button", name="Войти").click()
    page.get_by_label("Номер телефона").fill("9990000001")
    page.get_by_label("Пароль", exact=True).fill("Demo-2026!")
    page.get_by_role("button", name="Войти").click()
    expect(
        page.get_by_text("Слишком много неудачных попыток входа с вашего адреса")
    ).to_be_visible()
    screenshot(page, "accounts-login-address-throttled")
