"""«Личные данные»: view, e-mail, phone, password, consent; audited and notified."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ConsentRecord, User
from accounts.services.email import email_token_make
from audit.models import AuditEntry
from notifications.models import Message

from .conftest import DEMO_PASSWORD, codes_sent, last_code, phone_change_to_new_number

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def page(response) -> str:
    return response.content.decode()


def test_profile_needs_login(client, demo):
    response = client.get(PROFILE)
    assert response.status_code == 302 and response.url.startswith("/?next=")


def test_profile_shows_the_persons_data_and_consent(ivanov_client):
    html = page(ivanov_client.get(PROFILE))
    for text in [
        "Личные данные",
        "Иванов Иван Иванович",
        "01.01.1985",
        "DMS-0001",
        "+7 999 000-00-01",
        "ivanov@example.com",
        "Согласие на обработку персональных данных",
        "Отозвать согласие",
        "Изменить e-mail",
        "Изменить телефон",
        "Изменить пароль",
    ]:
        assert text in html


def _link_from_outbox(email: str) -> str:
    body = Message.objects.filter(event="accounts_email_confirm", recipient=email).last().body
    return re.search(r"https?://\S+", body).group(0).split("://", 1)[1].split("/", 1)[1]


def test_email_changes_only_through_the_confirmation_link(ivanov_client, ivanov):
    # Since pen-test #10 item 7: the current password and a code to the phone come first.
    response = ivanov_client.post(
        reverse("accounts:profile_email"), {"email": "New@Example.com", "password": DEMO_PASSWORD}
    )
    response = ivanov_client.post(response.url, {"code": last_code("+79990000001")})
    assert response.url == PROFILE
    ivanov.refresh_from_db()
    assert ivanov.email == "ivanov@example.com"
    link = "/" + _link_from_outbox("new@example.com")
    assert "Подтвердить e-mail" in page(ivanov_client.get(link))
    ivanov.refresh_from_db()
    assert ivanov.email == "ivanov@example.com"  # opening the link alone changes nothing
    response = ivanov_client.post(link)
    assert response.url == PROFILE
    ivanov.refresh_from_db()
    assert ivanov.email == "new@example.com" and ivanov.email_confirmed_at is not None
    entry = AuditEntry.objects.get(action="accounts.email_changed")
    assert entry.data == {"old": "ivanov@example.com", "new": "new@example.com"}
    assert Message.objects.filter(event="accounts_email_changed", recipient="ivanov@example.com")
    assert Message.objects.filter(event="accounts_email_changed", recipient="+79990000001")
    # The old link is dead once the address changed.
    other = Client()
    assert other.post(link).status_code == 400


def test_tampered_or_foreign_email_link_is_refused(ivanov_client, ivanov, stranger):
    token = email_token_make(user=stranger, new_email="evil@example.com")
    assert ivanov_client.get(reverse("accounts:email_confirm", args=[token])).status_code == 404
    assert ivanov_client.post(reverse("accounts:email_confirm", args=[token])).status_code == 404
    bad = reverse("accounts:email_confirm", args=["garbage"])
    assert "недействительна" in page(ivanov_client.get(bad))
    stranger.refresh_from_db()
    assert stranger.email == ""


def test_bad_email_gets_a_message(ivanov_client):
    html = page(ivanov_client.post(reverse("accounts:profile_email"), {"email": "no"}))
    assert "Введите правильный адрес e-mail" in html


def test_phone_changes_after_a_code_sent_to_the_new_number(ivanov_client, ivanov):
    response = phone_change_to_new_number(ivanov_client, "8 999 777 66 55")
    assert response.url == reverse("accounts:profile_phone_confirm")
    assert "Подтверждение телефона" in page(ivanov_client.get(response.url))
    response = ivanov_client.post(response.url, {"code": last_code("+79997776655")})
    assert response.url == PROFILE
    ivanov.refresh_from_db()
    assert str(ivanov.phone) == "+79997776655"
    assert AuditEntry.objects.filter(action="accounts.phone_changed").exists()
    assert Message.objects.filter(event="accounts_phone_changed", recipient="+79990000001")
    assert Message.objects.filter(event="accounts_phone_changed", recipient="+79997776655")
    # Still logged in, and the new phone is the login now.
    assert ivanov_client.get(PROFILE).status_code == 200
    assert (
        Client().post("/", {"username": "9997776655", "password": DEMO_PASSWORD}).status_code == 302
    )


def test_phone_of_another_account_gets_the_same_screen_but_no_code(ivanov_client, ivanov, stranger):
    response = phone_change_to_new_number(ivanov_client, "9995550099")
    assert response.url == reverse("accounts:profile_phone_confirm")
    assert codes_sent("+79995550099") == 0
    html = page(ivanov_client.post(response.url, {"code": "123456"}))
    assert "Неверный код" in html
    ivanov.refresh_from_db()
    assert str(ivanov.phone) == "+79990000001"


def test_current_phone_is_refused_with_a_message(ivanov_client):
    html = page(
        ivanov_client.post(
            reverse("accounts:profile_phone"), {"phone": "9990000001", "password": DEMO_PASSWORD}
        )
    )
    assert "Это ваш текущий номер телефона." in html


def test_password_change_needs_the_current_password(ivanov_client, ivanov):
    url = reverse("accounts:profile_password")
    html = page(
        ivanov_client.post(
            url,
            {"old_password": "wrong", "password1": "Novyi-Parol-7", "password2": "Novyi-Parol-7"},
        )
    )
    assert "Текущий пароль введён неверно." in html
    html = page(
        ivanov_client.post(
            url, {"old_password": DEMO_PASSWORD, "password1": "123", "password2": "123"}
        )
    )
    assert "слишком короткий" in html
    response = ivanov_client.post(
        url,
        {"old_password": DEMO_PASSWORD, "password1": "Novyi-Parol-7", "password2": "Novyi-Parol-7"},
    )
    assert response.url == PROFILE
    ivanov.refresh_from_db()
    assert ivanov.check_password("Novyi-Parol-7")
    assert ivanov_client.get(PROFILE).status_code == 200  # this session stays
    assert AuditEntry.objects.filter(action="accounts.password_changed").exists()
    assert Message.objects.filter(event="accounts_password_changed", recipient="+79990000001")


def test_argon2_is_the_password_hasher_of_real_settings():
    from django.conf import settings as live

    from dms_portal.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert "Argon2PasswordHasher" in " ".join(live.PASSWORD_HASHERS)


def test_consent_withdrawal_explains_logs_out_and_closes_the_account(ivanov_client, ivanov):
    url = reverse("accounts:consent_withdraw")
    html = page(ivanov_client.get(url))
    assert "личный кабинет будет закрыт" in html and "полис ДМС продолжает действовать" in html
    response = ivanov_client.post(url, follow=True)
    assert "Согласие на обработку персональных данных отозвано" in page(response)
    assert "_auth_user_id" not in ivanov_client.session
    record = ConsentRecord.objects.get(user=ivanov)
    assert record.withdrawn_at is not None and record.withdrawn_ip == "127.0.0.1"
    ivanov.refresh_from_db()
    assert not ivanov.is_active
    assert AuditEntry.objects.filter(action="accounts.consent_withdrawn").exists()
    assert Message.objects.filter(event="accounts_consent_withdrawn").exists()
    # Login no longer works; registration is open again and reopens the same account.
    assert (
        Client().post("/", {"username": "9990000001", "password": DEMO_PASSWORD}).status_code == 200
    )
    client = Client()
    form = {
        "last_name": "Иванов",
        "first_name": "Иван",
        "birth_date": "1985-01-01",
        "number": "1001",
        "phone": "9990000001",
        "email": "ivanov@example.com",
        "password1": "Novyi-Parol-7",
        "password2": "Novyi-Parol-7",
        "consent": "on",
    }
    assert client.post(reverse("accounts:register"), form).status_code == 302
    client.post(reverse("accounts:register_confirm"), {"code": last_code("+79990000001")})
    ivanov.refresh_from_db()
    assert ivanov.is_active and User.objects.count() == 1
    records = ConsentRecord.objects.filter(user=ivanov).order_by("given_at", "id")
    assert [r.withdrawn_at is None for r in records] == [False, True]


def test_withdrawing_twice_or_without_consent_is_404(ivanov_client, ivanov):
    ConsentRecord.objects.filter(user=ivanov).update(withdrawn_at="2026-01-01T00:00:00Z")
    assert ivanov_client.get(reverse("accounts:consent_withdraw")).status_code == 404


def test_staff_without_a_roster_person_sees_a_profile_too(client, db):
    staff = User.objects.create_user("+79995550100", "Staff-Pass-2026", is_staff=True)
    client.force_login(staff)
    html = page(client.get(PROFILE))
    assert "+7 999 555-01-00" in html and "Действующего согласия нет." in html


def test_phone_change_code_can_be_resent_after_a_minute(ivanov_client):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as t:
        phone_change_to_new_number(ivanov_client, "9997776655")
        resend = reverse("accounts:profile_phone_resend")
        html = page(ivanov_client.post(resend, follow=True))
        assert "Повторно отправить можно через" in html
        t.shift(dt.timedelta(seconds=61))
        html = page(ivanov_client.post(resend, follow=True))
        assert "Новый код отправлен в SMS на номер +7 999 777-66-55" in html
    assert codes_sent("+79997776655") == 2


def test_profile_lists_the_users_own_notifications_without_codes(ivanov_client, ivanov, stranger):
    phone_change_to_new_number(ivanov_client, "9997776655")
    html = page(ivanov_client.get(PROFILE))
    assert "История уведомлений" in html
    assert last_code("+79997776655") not in html
