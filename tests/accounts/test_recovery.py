"""«Забыли пароль?»: phone → SMS code → new password; the same answer for every phone."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import OneTimeCode
from audit.models import AuditEntry
from notifications.models import Message

from .conftest import DEMO_PASSWORD, codes_sent, last_code

pytestmark = pytest.mark.django_db

FORGOT = reverse("accounts:password_forgot")
CONFIRM = reverse("accounts:password_forgot_confirm")
NEW = reverse("accounts:password_reset_new")


def page(response) -> str:
    return response.content.decode()


def test_recovery_by_sms_code_sets_a_new_password(client, ivanov):
    response = client.post(FORGOT, {"phone": "8 999 000 00 01"})
    assert response.url == CONFIRM
    assert "Подтверждение телефона" in page(client.get(CONFIRM))
    response = client.post(CONFIRM, {"code": last_code("+79990000001")})
    assert response.url == NEW
    response = client.post(NEW, {"password1": "Novyi-Parol-7", "password2": "Novyi-Parol-7"})
    assert response.url == reverse("accounts:login")
    ivanov.refresh_from_db()
    assert ivanov.check_password("Novyi-Parol-7")
    assert AuditEntry.objects.filter(action="accounts.password_reset", actor=ivanov).exists()
    assert Message.objects.filter(event="accounts_password_changed", recipient="+79990000001")
    # The verified code cannot set a password a second time.
    client.post(NEW, {"password1": "Tretii-Parol-8", "password2": "Tretii-Parol-8"})
    ivanov.refresh_from_db()
    assert ivanov.check_password("Novyi-Parol-7")


def test_unregistered_phone_gets_the_same_screen_and_no_sms(ivanov):
    registered, unregistered = Client(), Client()
    a = page(registered.post(FORGOT, {"phone": "9990000001"}, follow=True))
    b = page(unregistered.post(FORGOT, {"phone": "9990000077"}, follow=True))
    strip = lambda html, phone: html.replace(phone, "PHONE").split("csrfmiddlewaretoken")[0]  # noqa: E731
    assert strip(a, "+7 999 000-00-01") == strip(b, "+7 999 000-00-77")
    assert codes_sent("+79990000077") == 0
    assert "Неверный код. Осталось попыток: 4." in page(
        unregistered.post(CONFIRM, {"code": "123456"})
    )


def test_new_password_page_needs_a_verified_code(client, ivanov):
    assert client.get(NEW).url == FORGOT
    client.post(FORGOT, {"phone": "9990000001"})
    assert client.get(NEW).url == FORGOT


def test_weak_or_mismatched_new_password_is_refused(client, ivanov):
    client.post(FORGOT, {"phone": "9990000001"})
    client.post(CONFIRM, {"code": last_code("+79990000001")})
    assert "Пароли не совпадают." in page(
        client.post(NEW, {"password1": "Novyi-Parol-7", "password2": "Novyi-Parol-8"})
    )
    assert "Введённый пароль" in page(
        client.post(NEW, {"password1": "12345678", "password2": "12345678"})
    )
    ivanov.refresh_from_db()
    assert ivanov.check_password(DEMO_PASSWORD)


def test_verified_code_must_be_used_within_ten_minutes(client, ivanov):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as t:
        client.post(FORGOT, {"phone": "9990000001"})
        client.post(CONFIRM, {"code": last_code("+79990000001")})
        t.shift(dt.timedelta(minutes=11))
        response = client.post(
            NEW, {"password1": "Novyi-Parol-7", "password2": "Novyi-Parol-7"}, follow=True
        )
    assert "Время на смену пароля истекло" in page(response)
    ivanov.refresh_from_db()
    assert ivanov.check_password(DEMO_PASSWORD)


def test_recovery_lifts_the_login_lock(client, ivanov):
    attacker = Client(REMOTE_ADDR="203.0.113.70")
    for _ in range(5):
        attacker.post("/", {"username": "9990000001", "password": "guess"})
    client.post(FORGOT, {"phone": "9990000001"})
    client.post(CONFIRM, {"code": last_code("+79990000001")})
    client.post(NEW, {"password1": "Novyi-Parol-7", "password2": "Novyi-Parol-7"})
    response = client.post("/", {"username": "9990000001", "password": "Novyi-Parol-7"})
    assert response.status_code == 302


def test_recovery_resend_is_limited_like_every_code(client, ivanov):
    client.post(FORGOT, {"phone": "9990000001"})
    html = page(client.post(reverse("accounts:password_forgot_resend"), follow=True))
    assert "Повторно отправить можно через" in html
    assert OneTimeCode.objects.get().send_count == 1


def test_password_change_ends_other_sessions(ivanov):
    other_browser = Client()
    other_browser.force_login(ivanov)
    client = Client()
    client.post(FORGOT, {"phone": "9990000001"})
    client.post(CONFIRM, {"code": last_code("+79990000001")})
    client.post(NEW, {"password1": "Novyi-Parol-7", "password2": "Novyi-Parol-7"})
    assert other_browser.get(reverse("accounts:profile")).status_code == 302


class CountingGateway:
    """An SMS backend that only counts what reaches it."""

    keeps_bodies = False
    sent: list[str] = []

    def send(self, *, channel, recipient, subject, body):
        CountingGateway.sent.append(recipient)


def test_no_request_waits_for_the_sms_gateway_so_timing_tells_nothing(
    ivanov, settings, django_capture_on_commit_callbacks
):
    # A registered phone gets a real code and an unknown one a decoy; if the request sent the
    # SMS itself, the gateway's latency would tell them apart. The send leaves after commit.
    settings.SMS_BACKEND = "tests.accounts.test_recovery.CountingGateway"
    CountingGateway.sent = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Client().post(FORGOT, {"phone": "9990000001"})
        Client().post(FORGOT, {"phone": "9990000077"})
    assert CountingGateway.sent == []
    for callback in callbacks:
        callback()
    assert CountingGateway.sent == ["+79990000001"]
