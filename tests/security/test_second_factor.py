"""Issue #18 item 3: the admin needs a TOTP second factor (ASVS 5.0 V6.3.3); demo staff get a
development-only secret that seed_demo prints."""

import re
from base64 import b32decode

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.staff import staff_login, totp_token

PASSWORD = "Staff-pass-2026!"
ADMIN = "/admin/"


@pytest.fixture
def operator(django_user_model, staff_group):
    user = django_user_model.objects.create_user("+79990001001", PASSWORD, is_staff=True)
    user.groups.add(staff_group("Операторы"))
    return user


def login_form(client, user, token=None):
    data = {"username": str(user.phone), "password": PASSWORD}
    if token is not None:
        data["otp_token"] = token
    return client.post(reverse("admin:login"), data)


def test_password_alone_does_not_open_the_admin(client, operator):
    TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    response = login_form(client, operator)
    assert response.status_code == 200  # the form again, asking for the code
    assert client.get(ADMIN).status_code == 302


def test_a_session_without_a_verified_token_is_sent_to_the_login(client, operator):
    client.force_login(operator)
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_password_and_current_token_open_the_admin(client, operator):
    response = login_form(client, operator, totp_token(operator))
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_a_wrong_token_is_refused(client, operator):
    good = totp_token(operator)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert login_form(client, operator, wrong).status_code == 200
    assert client.get(ADMIN).status_code == 302


def test_staff_without_a_device_cannot_log_in(client, operator):
    assert not TOTPDevice.objects.filter(user=operator).exists()
    login_form(client, operator, "123456")
    assert client.get(ADMIN).status_code == 302


def test_staff_login_helper_marks_the_session_verified(client, operator):
    staff_login(client, operator)
    assert client.get(ADMIN).status_code == 200


def test_otp_enroll_prints_a_uri_whose_codes_open_the_admin(client, operator, capsys):
    call_command("otp_enroll", "8 999 000-10-01", "--no-qr")
    out = capsys.readouterr().out
    uri = re.search(r"otpauth://totp/\S+", out).group(0)
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    key = b32decode(secret + "=" * (-len(secret) % 8))
    token = f"{totp(key):06d}"
    assert login_form(client, operator, token).status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_otp_enroll_refuses_an_insured_account(django_user_model):
    django_user_model.objects.create_user("+79990001002", PASSWORD)
    with pytest.raises(Exception, match="только сотрудникам"):
        call_command("otp_enroll", "+79990001002")


def test_seed_demo_gives_each_demo_staff_a_printed_development_secret(client, staff_group, capsys):
    staff_group(
        "Операторы"
    )  # the migration-made groups, should a transactional test have flushed them
    call_command("seed_demo", "--force")
    out = capsys.readouterr().out
    rows = re.findall(
        r"^(\S+) \(/admin/\): телефон (\+7\d{10}), пароль (\S+), TOTP-секрет ([A-Z2-7]+)", out, re.M
    )
    assert {row[0] for row in rows} == {"Операторы", "Эксперты", "Медпульт"}
    for _group, phone, password, secret in rows:
        key = b32decode(secret + "=" * (-len(secret) % 8))
        fresh = client_class_login(client, phone, password, f"{totp(key):06d}")
        assert fresh.get(ADMIN).status_code == 200
        fresh.post(reverse("admin:logout"))
    assert "Demo-2026!" in out  # the insured demo login stays as SPEC §4 has it


def client_class_login(client, phone, password, token):
    client.post(
        reverse("admin:login"), {"username": phone, "password": password, "otp_token": token}
    )
    return client
