"""Another person's steps, codes and records are out of reach."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ConsentRecord, OneTimeCode
from accounts.services.consent import ConsentError, consent_withdraw

from .conftest import last_code, phone_change_to_new_number

pytestmark = pytest.mark.django_db

ACCOUNT_PAGES = [
    "accounts:profile",
    "accounts:profile_phone_confirm",
    "accounts:consent_withdraw",
]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, demo, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith("/?next=")


@pytest.mark.parametrize(
    "name",
    ["accounts:profile_email", "accounts:profile_phone", "accounts:profile_password"],
)
def test_anonymous_posts_change_nothing(client, demo, name):
    response = client.post(reverse(name), {"email": "x@example.com", "phone": "9990000002"})
    assert response.status_code == 302 and response.url.startswith("/?next=")


def test_users_phone_change_challenge_is_useless_in_another_users_session(
    ivanov_client, ivanov, stranger
):
    phone_change_to_new_number(ivanov_client, "9997776655")
    challenge = OneTimeCode.objects.get(purpose="phone_change")
    code = last_code("+79997776655")
    thief = Client()
    thief.force_login(stranger)
    session = thief.session
    session["accounts_phone_change_challenge"] = challenge.pk
    session.save()
    response = thief.post(reverse("accounts:profile_phone_confirm"), {"code": code})
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    stranger.refresh_from_db()
    assert str(stranger.phone) == "+79995550099"


def test_consent_of_another_person_cannot_be_withdrawn(ivanov, stranger):
    record = ConsentRecord.objects.get(user=ivanov)
    with pytest.raises(ConsentError):
        consent_withdraw(user=stranger, record_id=record.pk, ip=None)
    record.refresh_from_db()
    assert record.withdrawn_at is None


def test_profile_shows_only_the_users_own_person(ivanov, stranger):
    client = Client()
    client.force_login(stranger)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Петров Пётр Петрович" in html and "Иванов" not in html


def test_reset_challenge_of_another_browser_is_not_accepted(ivanov):
    owner = Client()
    owner.post(reverse("accounts:password_forgot"), {"phone": "9990000001"})
    challenge = OneTimeCode.objects.get(purpose="password_reset")
    thief = Client()
    session = thief.session
    session["accounts_reset_challenge"] = challenge.pk
    session["accounts_reset_verified"] = challenge.pk
    session.save()
    assert thief.get(reverse("accounts:password_forgot_confirm")).url == reverse(
        "accounts:password_forgot"
    )
    response = thief.post(
        reverse("accounts:password_reset_new"),
        {"password1": "Vzlom-Parol-77", "password2": "Vzlom-Parol-77"},
    )
    assert response.url == reverse("accounts:password_forgot")
    ivanov.refresh_from_db()
    assert not ivanov.check_password("Vzlom-Parol-77")
