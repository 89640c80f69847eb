"""Login, «Запомнить меня», logout and the brute-force lock (SPEC §3.1)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from .conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def login(client, phone, password, remember=False, **extra):
    data = {"username": phone, "password": password}
    if remember:
        data["remember_me"] = "on"
    return client.post(LOGIN, data, **extra)


def test_login_page_is_the_root_with_the_guides_words(client, demo):
    html = client.get("/").content.decode()
    for text in [
        "Вход в личный кабинет",
        "Номер телефона",
        "Пароль",
        "Запомнить меня",
        "Войти",
        "Забыли пароль?",
        "Регистрация",
        "+7",
    ]:
        assert text in html


@pytest.mark.parametrize("phone", ["9990000001", "+7 999 000-00-01", "8 999 000 00 01"])
def test_login_accepts_the_usual_phone_forms(client, ivanov, phone):
    response = login(client, phone, DEMO_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("policies:my_policies")
    assert client.session["_auth_user_id"] == str(ivanov.pk)


def test_without_remember_me_the_session_ends_with_the_browser(client, ivanov):
    login(client, "9990000001", DEMO_PASSWORD)
    assert client.session.get_expire_at_browser_close()
    assert client.cookies["sessionid"]["max-age"] == ""


def test_remember_me_keeps_the_session_thirty_days(client, ivanov):
    with time_machine.travel(START, tick=False) as traveller:
        login(client, "9990000001", DEMO_PASSWORD, remember=True)
        assert not client.session.get_expire_at_browser_close()
        assert client.cookies["sessionid"]["max-age"] == 30 * 24 * 3600
        traveller.shift(dt.timedelta(days=29))
        assert client.get(reverse("accounts:profile")).status_code == 200
        traveller.shift(dt.timedelta(days=2))
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_unknown_phone_and_wrong_password_get_the_same_answer(client, ivanov):
    wrong_password = login(client, "9990000001", "not-the-password").content.decode()
    unknown_phone = login(client, "9990000077", "not-the-password").content.decode()
    assert "Неверный номер телефона или пароль." in wrong_password
    strip = lambda html: html.split("csrfmiddlewaretoken")[0]  # noqa: E731
    assert strip(wrong_password.replace("999 000-00-01", "X").replace("9990000001", "X")) == strip(
        unknown_phone.replace("999 000-00-77", "X").replace("9990000077", "X")
    )


def test_malformed_phone_gets_a_format_message(client, demo):
    html = login(client, "12-34", "whatever").content.decode()
    assert "Введите номер мобильного телефона" in html


def test_next_parameter_is_followed_only_within_the_site(client, ivanov):
    response = client.post(
        LOGIN + "?next=/faq/", {"username": "9990000001", "password": DEMO_PASSWORD}
    )
    assert response.url == "/faq/"
    other = Client()
    response = other.post(
        LOGIN + "?next=https://evil.example/", {"username": "9990000001", "password": DEMO_PASSWORD}
    )
    assert response.url == reverse("policies:my_policies")


def test_logout_is_a_post_and_ends_the_session(ivanov_client):
    assert ivanov_client.get(reverse("accounts:logout")).status_code == 405
    response = ivanov_client.post(reverse("accounts:logout"))
    assert response.url == LOGIN
    assert "_auth_user_id" not in ivanov_client.session


def test_five_failures_lock_the_account_with_a_clear_message_then_cool_off(ivanov):
    with time_machine.travel(START, tick=False) as traveller:
        attacker = Client(REMOTE_ADDR="203.0.113.50")
        for _ in range(5):
            login(attacker, "9990000001", "guess")
        owner = Client(REMOTE_ADDR="198.51.100.7")
        # Locked even with the right password, from another address and another spelling.
        response = login(owner, "8 999 000 00 01", DEMO_PASSWORD)
        assert response.status_code == 429
        html = response.content.decode()
        assert "Слишком много неудачных попыток входа" in html and "15 мин." in html
        assert "_auth_user_id" not in owner.session
        # A cool-off, not a permanent lock.
        traveller.shift(dt.timedelta(minutes=16))
        response = login(owner, "9990000001", DEMO_PASSWORD)
        assert response.status_code == 302


def test_lock_is_the_same_for_an_unregistered_phone(demo):
    client = Client(REMOTE_ADDR="203.0.113.51")
    for _ in range(5):
        login(client, "9990000077", "guess")
    response = login(Client(REMOTE_ADDR="198.51.100.8"), "9990000077", "guess")
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа" in response.content.decode()


def test_one_address_trying_many_phones_is_locked_too(ivanov, settings):
    settings.LOGIN_FAILURES_PER_IP = 5  # the default is far higher (see test_lockout.py)
    attacker = Client(REMOTE_ADDR="203.0.113.52")
    for n in range(5):
        login(attacker, f"99900000{n + 10}", "guess")
    assert login(attacker, "9990000001", DEMO_PASSWORD).status_code == 429
    # The owner elsewhere is not affected by that address.
    assert login(Client(REMOTE_ADDR="198.51.100.9"), "9990000001", DEMO_PASSWORD).status_code == 302


def test_lock_per_ip_uses_the_address_behind_the_proxy(ivanov, settings):
    settings.PROXY_COUNT = 1
    settings.LOGIN_FAILURES_PER_IP = 5  # the default is far higher (see test_lockout.py)
    for n in range(5):
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.60")
        login(client, f"99900000{n + 20}", "guess")
    # Another client behind the same proxy is not locked out.
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.10")
    assert login(other, "9990000001", DEMO_PASSWORD).status_code == 302
    locked = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.60")
    assert login(locked, "9990000001", DEMO_PASSWORD).status_code == 429


def test_successful_login_resets_the_failure_count(ivanov):
    client = Client(REMOTE_ADDR="198.51.100.11")
    for _ in range(4):
        login(client, "9990000001", "guess")
    assert login(client, "9990000001", DEMO_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        login(client, "9990000001", "guess")
    assert login(client, "9990000001", DEMO_PASSWORD).status_code == 302


def test_logged_in_user_opening_root_goes_to_his_policies(ivanov_client):
    assert ivanov_client.get("/").url == reverse("policies:my_policies")
