"""Brute force (SPEC §3.1, pen-test #10 item 5): per account 5 tries / 15 min; per address a
limit far higher, so one person's wrong passwords never lock out an office behind one IP."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.staff import totp_token

from .conftest import DEMO_PASSWORD, last_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
OFFICE = "203.0.113.80"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def login(client, phone, password):
    return client.post(LOGIN, {"username": phone, "password": password})


def test_the_address_limit_is_far_above_the_account_limit():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.LOGIN_FAILURES_PER_IP >= 10 * django_settings.AXES_FAILURE_LIMIT


def test_five_wrong_passwords_lock_that_phone_but_not_a_colleague_behind_the_same_address(
    ivanov, stranger
):
    for _ in range(5):
        login(Client(REMOTE_ADDR=OFFICE), "9990000001", "guess")
    assert login(Client(REMOTE_ADDR=OFFICE), "9990000001", DEMO_PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR=OFFICE)
    response = login(colleague, "9995550099", "Other-Pass-2026")
    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(stranger.pk)


def test_many_failures_from_one_address_throttle_the_address_then_cool_off(
    ivanov, stranger, settings
):
    settings.LOGIN_FAILURES_PER_IP = 12
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(12):
            login(Client(REMOTE_ADDR=OFFICE), f"99900001{n:02d}", "guess")
        response = login(Client(REMOTE_ADDR=OFFICE), "9995550099", "Other-Pass-2026")
        assert response.status_code == 429
        assert "Слишком много неудачных попыток входа с вашего адреса" in response.content.decode()
        # Elsewhere the same person gets in; at the address, after the cool-off, too.
        assert (
            login(Client(REMOTE_ADDR="198.51.100.80"), "9995550099", "Other-Pass-2026").status_code
            == 302
        )
        traveller.shift(dt.timedelta(minutes=16))
        assert login(Client(REMOTE_ADDR=OFFICE), "9995550099", "Other-Pass-2026").status_code == 302


def test_recovery_lifts_only_the_recovered_accounts_lock(client, ivanov, stranger):
    for phone in ("9990000001", "9995550099"):
        for _ in range(5):
            login(Client(REMOTE_ADDR=OFFICE), phone, "guess")
    client.post(reverse("accounts:password_forgot"), {"phone": "9990000001"})
    client.post(reverse("accounts:password_forgot_confirm"), {"code": last_code("+79990000001")})
    client.post(
        reverse("accounts:password_reset_new"),
        {"password1": "Novyi-Parol-7", "password2": "Novyi-Parol-7"},
    )
    assert login(Client(REMOTE_ADDR=OFFICE), "9990000001", "Novyi-Parol-7").status_code == 302
    assert login(Client(REMOTE_ADDR=OFFICE), "9995550099", "Other-Pass-2026").status_code == 429


def test_admin_login_follows_the_same_rule(db):
    User.objects.create_superuser("+79995550201", "Admin-One-2026")
    colleague_user = User.objects.create_superuser("+79995550202", "Admin-Two-2026")
    for _ in range(5):
        Client(REMOTE_ADDR=OFFICE).post(
            ADMIN_LOGIN, {"username": "+79995550201", "password": "guess"}
        )
    locked = Client(REMOTE_ADDR=OFFICE).post(
        ADMIN_LOGIN, {"username": "+79995550201", "password": "Admin-One-2026"}
    )
    assert locked.status_code == 429
    colleague = Client(REMOTE_ADDR=OFFICE)
    response = colleague.post(
        ADMIN_LOGIN + "?next=/admin/",
        {
            "username": "+79995550202",
            "password": "Admin-Two-2026",
            "otp_token": totp_token(colleague_user),  # the admin's second factor (issue #18)
        },
    )
    assert response.status_code == 302 and "_auth_user_id" in colleague.session
