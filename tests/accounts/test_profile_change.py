"""Pen-test #10 item 7: a new phone or e-mail needs the current password and a code sent to the
OLD phone; without the old phone, the confirmed e-mail or an operator confirms instead; wrong
current passwords are throttled like logins."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import ProfileChange, User
from audit.models import AuditEntry
from notifications.models import Message
from tests.staff import staff_login

from .conftest import DEMO_PASSWORD, codes_sent, last_code

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
PHONE = reverse("accounts:profile_phone")
EMAIL = reverse("accounts:profile_email")
OLD_CONFIRM = reverse("accounts:profile_change_confirm")
NEW_CONFIRM = reverse("accounts:profile_phone_confirm")
LOST = reverse("accounts:profile_change_lost_phone")
CONTINUE = reverse("accounts:profile_change_continue")
OLD = "+79990000001"
NEW = "+79997776655"


def page(response) -> str:
    return response.content.decode()


def _link(recipient: str) -> str:
    body = Message.objects.filter(recipient=recipient, channel="email").last().body
    return "/" + re.search(r"https?://\S+", body).group(0).split("://", 1)[1].split("/", 1)[1]


def test_phone_change_without_the_current_password_sends_no_code(ivanov_client, ivanov):
    html = page(ivanov_client.post(PHONE, {"phone": "9997776655"}))
    assert "Заполните это поле." in html
    html = page(ivanov_client.post(PHONE, {"phone": "9997776655", "password": "wrong"}))
    assert "Текущий пароль введён неверно." in html
    assert codes_sent(NEW) == 0 and codes_sent(OLD) == 0


def test_phone_change_needs_the_password_then_the_old_phone_then_the_new_one(ivanov_client, ivanov):
    response = ivanov_client.post(PHONE, {"phone": "9997776655", "password": DEMO_PASSWORD})
    assert response.url == OLD_CONFIRM
    assert codes_sent(NEW) == 0  # nothing to the new number before the old one answered
    html = page(ivanov_client.get(OLD_CONFIRM))
    assert "Подтверждение телефона" in html and "+7 999 000-00-01" in html
    assert "Нет доступа к старому номеру" in html
    response = ivanov_client.post(OLD_CONFIRM, {"code": last_code(OLD)})
    assert response.url == NEW_CONFIRM
    assert "+7 999 777-66-55" in page(ivanov_client.get(NEW_CONFIRM))
    response = ivanov_client.post(NEW_CONFIRM, {"code": last_code(NEW)})
    assert response.url == PROFILE
    ivanov.refresh_from_db()
    assert str(ivanov.phone) == NEW
    change = ProfileChange.objects.get()
    assert (change.status, change.approved_via) == ("done", "old_phone")


def test_the_new_number_cannot_be_confirmed_by_skipping_the_old_one(ivanov_client, ivanov):
    ivanov_client.post(PHONE, {"phone": "9997776655", "password": DEMO_PASSWORD})
    assert ivanov_client.post(CONTINUE).url == PROFILE
    assert codes_sent(NEW) == 0
    assert ivanov_client.get(NEW_CONFIRM).url == PROFILE


def test_email_change_needs_the_password_and_the_old_phone_then_the_link(ivanov_client, ivanov):
    html = page(ivanov_client.post(EMAIL, {"email": "new@example.com", "password": "wrong"}))
    assert "Текущий пароль введён неверно." in html
    response = ivanov_client.post(EMAIL, {"email": "new@example.com", "password": DEMO_PASSWORD})
    assert response.url == OLD_CONFIRM
    assert not Message.objects.filter(recipient="new@example.com").exists()
    response = ivanov_client.post(OLD_CONFIRM, {"code": last_code(OLD)}, follow=True)
    assert "Мы отправили ссылку для подтверждения на new@example.com" in page(response)
    ivanov_client.post(_link("new@example.com"))
    ivanov.refresh_from_db()
    assert ivanov.email == "new@example.com"


def test_lost_old_phone_is_replaced_by_a_link_to_the_confirmed_email(ivanov_client, ivanov):
    ivanov_client.post(PHONE, {"phone": "9997776655", "password": DEMO_PASSWORD})
    response = ivanov_client.post(LOST, follow=True)
    assert "ivanov@example.com" in page(response)
    link = _link("ivanov@example.com")
    # A stolen session must not read the link in the notification history of «Личные данные».
    assert link.rsplit("/", 2)[-2] not in page(ivanov_client.get(PROFILE))
    assert "Подтвердить" in page(ivanov_client.get(link))
    assert ProfileChange.objects.get().status == "awaiting"  # opening the link changes nothing
    response = ivanov_client.post(link, follow=True)
    html = page(response)
    assert "Отправить код на новый номер" in html
    response = ivanov_client.post(CONTINUE)
    assert response.url == NEW_CONFIRM
    ivanov_client.post(NEW_CONFIRM, {"code": last_code(NEW)})
    ivanov.refresh_from_db()
    assert str(ivanov.phone) == NEW
    assert ProfileChange.objects.get().approved_via == "email"


def test_the_email_link_of_a_change_works_only_for_its_own_account(ivanov_client, ivanov, stranger):
    ivanov_client.post(PHONE, {"phone": "9997776655", "password": DEMO_PASSWORD})
    ivanov_client.post(LOST)
    link = _link("ivanov@example.com")
    thief = Client()
    thief.force_login(stranger)
    assert thief.post(link).status_code == 404
    assert ProfileChange.objects.get().status == "awaiting"
    bad = reverse("accounts:profile_change_approve", args=["garbage"])
    assert "недействительна" in page(ivanov_client.get(bad))


def test_without_a_confirmed_email_an_operator_confirms(
    ivanov_client, ivanov, settings, staff_group
):
    User.objects.filter(pk=ivanov.pk).update(email_confirmed_at=None)
    ivanov_client.post(PHONE, {"phone": "9997776655", "password": DEMO_PASSWORD})
    html = page(ivanov_client.post(LOST, follow=True))
    assert "оператор" in html.lower()
    change = ProfileChange.objects.get()
    assert change.status == "operator"
    assert "ждёт подтверждения оператора" in page(ivanov_client.get(PROFILE)).lower()
    assert ivanov_client.post(CONTINUE).url == PROFILE and codes_sent(NEW) == 0

    operator = User.objects.create_user("+79995550300", "Oper-Pass-2026", is_staff=True)
    operator.groups.add(staff_group("Операторы"))
    staff = Client()
    staff_login(staff, operator)
    changelist = reverse("admin:accounts_profilechange_changelist")
    assert NEW in page(staff.get(changelist))
    staff.post(changelist, {"action": "approve", "_selected_action": [change.pk]})
    change.refresh_from_db()
    assert (change.status, change.approved_via, change.decided_by_id) == (
        "approved",
        "operator",
        operator.pk,
    )
    assert AuditEntry.objects.filter(action="accounts.profile_change_approved").exists()
    assert ivanov_client.post(CONTINUE).url == NEW_CONFIRM
    ivanov_client.post(NEW_CONFIRM, {"code": last_code(NEW)})
    ivanov.refresh_from_db()
    assert str(ivanov.phone) == NEW


def test_wrong_current_passwords_are_throttled_like_logins(ivanov_client, ivanov):
    url = reverse("accounts:profile_password")
    data = {"old_password": "wrong", "password1": "Novyi-Parol-7", "password2": "Novyi-Parol-7"}
    for _ in range(5):
        ivanov_client.post(url, data)
    response = ivanov_client.post(url, {**data, "old_password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "Слишком много неверных паролей" in page(response)
    ivanov.refresh_from_db()
    assert ivanov.check_password(DEMO_PASSWORD)
    # The same per-account counter as the login.
    assert (
        Client().post("/", {"username": "9990000001", "password": DEMO_PASSWORD}).status_code == 429
    )


def test_the_old_phone_code_can_be_resent_and_a_new_request_cancels_the_open_one(
    ivanov_client, ivanov
):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as t:
        ivanov_client.post(PHONE, {"phone": "9997776655", "password": DEMO_PASSWORD})
        t.shift(dt.timedelta(seconds=61))
        resend = reverse("accounts:profile_change_resend")
        html = page(ivanov_client.post(resend, follow=True))
        assert "Новый код отправлен в SMS на номер +7 999 000-00-01" in html
        t.shift(dt.timedelta(seconds=61))
        ivanov_client.post(EMAIL, {"email": "new@example.com", "password": DEMO_PASSWORD})
    assert list(ProfileChange.objects.order_by("pk").values_list("status", flat=True)) == [
        "cancelled",
        "awaiting",
    ]


def test_an_operator_may_reject_a_change(ivanov_client, ivanov):
    User.objects.filter(pk=ivanov.pk).update(email_confirmed_at=None)
    ivanov_client.post(PHONE, {"phone": "9997776655", "password": DEMO_PASSWORD})
    ivanov_client.post(LOST)
    admin = User.objects.create_superuser("+79995550301", "Admin-Pass-2026")
    staff = Client()
    staff_login(staff, admin)
    change = ProfileChange.objects.get()
    changelist = reverse("admin:accounts_profilechange_changelist")
    staff.post(changelist, {"action": "reject", "_selected_action": [change.pk]})
    change.refresh_from_db()
    assert change.status == "rejected"
    assert Message.objects.filter(event="accounts_profile_change_decided", recipient=OLD)
    # Rejected or not waiting: approving now does nothing.
    staff.post(changelist, {"action": "approve", "_selected_action": [change.pk]})
    change.refresh_from_db()
    assert change.status == "rejected"
    assert ivanov_client.post(CONTINUE).url == PROFILE and codes_sent(NEW) == 0
