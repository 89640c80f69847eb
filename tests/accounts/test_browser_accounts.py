"""Accounts flows in real Chromium, as a person clicks through them (SPEC §3.1)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.demo import seed_accounts
from accounts.models import OneTimeCode, User
from notifications.models import Message
from policies.demo import seed_policies

from .conftest import PETROV_PHONE, last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def roster(db):
    people = seed_policies()
    seed_accounts()
    return people


def fill_registration(page, **overrides):
    values = {
        "Фамилия": "Петров",
        "Имя": "Пётр",
        "Отчество": "Петрович",
        "Дата рождения": "15.05.1990",
        "Полис / таб. номер": "DMS-0003",
        "Моб. телефон": "999 555-00-03",
        "E-mail": "petrov@example.com",
        "Пароль": "Sosna-Luna-42",
        "Повторите пароль": "Sosna-Luna-42",
    }
    values.update(overrides)
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)


def consent_box(page):
    return page.get_by_label("Я согласен и подтверждаю ознакомление с политикой обработки ПДн")


def send_window_passes():
    """The SMS limits (1 a minute, 5 in 10 minutes per phone) are about time gone by;
    age the recorded sends instead of sleeping in a browser test."""
    import datetime as dt

    from django.db.models import F

    from accounts.models import CodeSend

    CodeSend.objects.update(at=F("at") - dt.timedelta(minutes=11))


def logout(page):
    page.get_by_role("button", name="Выход").click()
    expect(page.get_by_role("heading", name="Вход в личный кабинет")).to_be_visible()


def test_new_user_registers_logs_out_logs_in_remembered_and_recovers_password(
    live_server, page, roster, screenshot
):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Вход в личный кабинет")).to_be_visible()
    screenshot(page, "accounts-login")
    page.get_by_role("link", name="Регистрация").click()
    expect(page.get_by_role("heading", name="Регистрация")).to_be_visible()

    # The consent link opens the consent text in a new tab.
    with page.context.expect_page() as popup:
        page.get_by_role("link", name="политикой обработки ПДн").click()
    consent_page = popup.value
    expect(consent_page.get_by_text("Порядок отзыва согласия")).to_be_visible()
    consent_page.close()

    fill_registration(page)
    consent_box(page).check()
    screenshot(page, "accounts-registration")
    page.get_by_role("button", name="Зарегистрироваться").click()

    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    expect(page.get_by_text("Мы отправили код в SMS на номер +7 999 555-00-03")).to_be_visible()
    assert not User.objects.filter(phone=PETROV_PHONE).exists()
    screenshot(page, "accounts-confirm-phone")
    page.get_by_label("Код из SMS").fill(last_code(PETROV_PHONE))
    page.get_by_role("button", name="Подтвердить").click()

    expect(page.get_by_role("heading", name="Мои полисы")).to_be_visible()
    expect(page.get_by_text("Регистрация завершена")).to_be_visible()
    assert User.objects.get(phone=PETROV_PHONE).insured_person.policy_number == "DMS-0003"
    logout(page)

    # Log in again, remembered for 30 days.
    page.get_by_label("Номер телефона").fill("8 999 555 00 03")
    page.get_by_label("Пароль", exact=True).fill("Sosna-Luna-42")
    page.get_by_label("Запомнить меня").check()
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Мои полисы")).to_be_visible()
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    import time

    assert 29 * 86400 < session["expires"] - time.time() <= 30 * 86400
    logout(page)

    # «Забыли пароль?» (a while later: the last SMS to this phone was minutes ago)
    send_window_passes()
    page.get_by_role("link", name="Забыли пароль?").click()
    expect(page.get_by_role("heading", name="Восстановление пароля")).to_be_visible()
    page.get_by_label("Номер телефона").fill("+7 999 555-00-03")
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    page.get_by_label("Код из SMS").fill(last_code(PETROV_PHONE))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_role("heading", name="Новый пароль")).to_be_visible()
    page.get_by_label("Новый пароль").fill("Novyi-Parol-7")
    page.get_by_label("Повторите пароль").fill("Novyi-Parol-7")
    page.get_by_role("button", name="Сохранить пароль").click()
    expect(page.get_by_text("Пароль изменён. Войдите с новым паролем.")).to_be_visible()
    page.get_by_label("Номер телефона").fill("9995550003")
    page.get_by_label("Пароль", exact=True).fill("Novyi-Parol-7")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Мои полисы")).to_be_visible()
    # Without «Запомнить меня» the cookie ends with the browser.
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session["expires"] == -1


@pytest.mark.parametrize(
    ("overrides", "consent", "message"),
    [
        ({"Фамилия": "Петренко"}, True, "Мы не нашли вас в списке застрахованных"),
        (
            {
                "Фамилия": "Сидорова",
                "Имя": "Анна",
                "Отчество": "Сергеевна",
                "Дата рождения": "20.02.2010",
                "Полис / таб. номер": "DMS-0004",
            },
            True,
            "Регистрация доступна только с 18 лет",
        ),
        ({"Повторите пароль": "Sosna-Luna-43"}, True, "Пароли не совпадают."),
        ({"Пароль": "12345678", "Повторите пароль": "12345678"}, True, "Введённый пароль"),
        ({}, False, "дайте согласие на обработку персональных данных"),
        ({"Моб. телефон": "12-34"}, True, "Введите номер мобильного телефона"),
    ],
    ids=[
        "unknown-person",
        "under-18",
        "passwords-differ",
        "weak-password",
        "no-consent",
        "bad-phone",
    ],
)
def test_each_wrong_registration_input_gets_a_clear_message_and_no_user(
    live_server, page, roster, overrides, consent, message
):
    page.goto(live_server.url + "/register/")
    fill_registration(page, **overrides)
    if consent:
        consent_box(page).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text(message).first).to_be_visible()
    expect(page.get_by_role("heading", name="Регистрация")).to_be_visible()
    assert User.objects.count() == 1  # only the demo Иванов
    assert not Message.objects.filter(event="accounts_registration_code").exists()


def test_wrong_code_five_times_then_expired_code(live_server, page, roster, screenshot):
    page.goto(live_server.url + "/register/")
    fill_registration(page)
    consent_box(page).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    code = last_code(PETROV_PHONE)
    bad = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        page.get_by_label("Код из SMS").fill(bad)
        page.get_by_role("button", name="Подтвердить").click()
        expect(
            page.get_by_text(f"Неверный код. Осталось попыток: {left}.", exact=True)
        ).to_be_visible()
    page.get_by_label("Код из SMS").fill(bad)
    page.get_by_role("button", name="Подтвердить").click()
    expect(
        page.get_by_role("alert").get_by_text("Код больше не действует: введено 5 неверных кодов")
    ).to_be_visible()
    screenshot(page, "accounts-confirm-burned")
    assert not User.objects.filter(phone=PETROV_PHONE).exists()

    # Start over in the same browser once the minute has passed; this code expires.
    page.get_by_role("link", name="Начать заново").click()
    send_window_passes()
    fill_registration(page)
    consent_box(page).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    code = last_code(PETROV_PHONE)
    latest = OneTimeCode.objects.order_by("-id").first()
    OneTimeCode.objects.filter(pk=latest.pk).update(expires_at=latest.created_at)
    page.get_by_label("Код из SMS").fill(code)
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.locator("form").get_by_text("Срок действия кода истёк")).to_be_visible()
    assert not User.objects.filter(phone=PETROV_PHONE).exists()


def test_taken_phone_shows_the_code_sent_screen_and_warns_its_owner(live_server, page, roster):
    page.goto(live_server.url + "/register/")
    fill_registration(page, **{"Моб. телефон": "+7 999 000-00-01"})
    consent_box(page).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    expect(page.get_by_text("Мы отправили код в SMS на номер +7 999 000-00-01")).to_be_visible()
    warning = Message.objects.get(event="accounts_phone_taken")
    assert warning.recipient == "+79990000001"
    assert not Message.objects.filter(event="accounts_registration_code").exists()
    page.get_by_label("Код из SMS").fill("123456")
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Неверный код. Осталось попыток: 4.", exact=True)).to_be_visible()
    assert User.objects.count() == 1


def test_person_already_registered_is_pointed_to_recovery(live_server, page, roster, screenshot):
    page.goto(live_server.url + "/register/")
    fill_registration(
        page,
        **{
            "Фамилия": "иванов",
            "Имя": "Иван",
            "Отчество": "Иванович",
            "Дата рождения": "01.01.1985",
            "Полис / таб. номер": "1001",
            "Моб. телефон": "9995550011",
        },
    )
    consent_box(page).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text("Вы уже зарегистрированы в личном кабинете")).to_be_visible()
    screenshot(page, "accounts-registration-already")
    page.get_by_role("alert").get_by_role("link", name="Забыли пароль?").click()
    expect(page.get_by_role("heading", name="Восстановление пароля")).to_be_visible()


def test_wrong_password_then_lockout_message(live_server, page, roster):
    def attempt(password):
        page.get_by_label("Номер телефона").fill("9990000001")
        page.get_by_label("Пароль", exact=True).fill(password)
        page.get_by_role("button", name="Войти").click()

    page.goto(live_server.url + "/")
    for _ in range(4):
        attempt("wrong-password")
        # In the form's alert (the error summary above repeats it).
        expect(
            page.get_by_role("alert").get_by_text("Неверный номер телефона или пароль.")
        ).to_be_visible()
    attempt("wrong-password")  # the fifth failure locks
    expect(page.get_by_text("Слишком много неудачных попыток входа")).to_be_visible()
    attempt("Demo-2026!")  # even the right password waits for the cool-off
    expect(page.get_by_text("Вход временно заблокирован на 15 мин.")).to_be_visible()
    expect(page.get_by_role("heading", name="Мои полисы")).to_have_count(0)


def test_personal_data_page_changes_phone_and_withdraws_consent(
    live_server, page, roster, screenshot
):
    page.goto(live_server.url + "/")
    page.get_by_label("Номер телефона").fill("9990000001")
    page.get_by_label("Пароль", exact=True).fill("Demo-2026!")
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Личные данные").click()
    expect(page.get_by_role("heading", name="Личные данные", exact=True)).to_be_visible()
    expect(page.get_by_text("Иванов Иван Иванович")).to_be_visible()
    screenshot(page, "accounts-profile")

    # Since pen-test #10 item 7: the current password, then a code to the old phone.
    phone_section = page.get_by_role("region", name="Изменить телефон")
    phone_section.get_by_label("Новый номер телефона").fill("999 777-66-55")
    phone_section.get_by_label("Текущий пароль").fill("Demo-2026!")
    phone_section.get_by_role("button", name="Получить код").click()
    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    page.get_by_label("Код из SMS").fill(last_code("+79990000001"))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("+7 999 777-66-55")).to_be_visible()
    page.get_by_label("Код из SMS").fill(last_code("+79997776655"))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Номер телефона изменён на +7 999 777-66-55")).to_be_visible()

    page.get_by_role("link", name="Отозвать согласие").click()
    expect(page.get_by_text("личный кабинет будет закрыт")).to_be_visible()
    screenshot(page, "accounts-consent-withdraw")
    page.get_by_role("button", name="Отозвать согласие и выйти").click()
    expect(page.get_by_role("heading", name="Вход в личный кабинет")).to_be_visible()
    expect(
        page.get_by_text(re.compile("Согласие на обработку персональных данных отозвано"))
    ).to_be_visible()
    assert not User.objects.get(phone="+79997776655").is_active
