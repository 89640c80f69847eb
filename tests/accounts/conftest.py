"""Accounts fixtures: the demo people, Иванов's account, a stranger, and outbox helpers."""

import re

import pytest

from accounts.demo import DEMO_PASSWORD, DEMO_PHONE, seed_accounts

PETROV_PHONE = "+79995550003"
PETROV_FORM = {
    "last_name": "Петров",
    "first_name": "Пётр",
    "patronymic": "Петрович",
    "birth_date": "15.05.1990",
    "number": "DMS-0003",
    "phone": "999 555-00-03",
    "email": "petrov@example.com",
    "password1": "Sosna-Luna-42",
    "password2": "Sosna-Luna-42",
    "consent": "on",
}


@pytest.fixture
def ivanov(demo):
    """Иванов, registered exactly as seed_demo makes him."""
    return seed_accounts()["ivanov_user"]


@pytest.fixture
def ivanov_client(client, ivanov):
    client.force_login(ivanov)
    return client


@pytest.fixture
def stranger(demo):
    """Another registered adult (Петров) with his own account."""
    from accounts.models import User

    user = User.objects.create_user("+79995550099", "Other-Pass-2026", first_name="Пётр")
    demo["petrov"].user = user
    demo["petrov"].save(update_fields=["user"])
    return user


@pytest.fixture
def petrov_form():
    return dict(PETROV_FORM)


def last_code(phone: str) -> str:
    """The six digits of the latest SMS code sent to `phone`, read from the outbox."""
    from notifications.models import Message

    message = Message.objects.filter(recipient=phone, channel="sms", sensitive=True).last()
    assert message is not None, f"no code was sent to {phone}"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def codes_sent(phone: str) -> int:
    from notifications.models import Message

    return Message.objects.filter(recipient=phone, channel="sms", sensitive=True).count()


def phone_change_to_new_number(client, phone: str, password: str = DEMO_PASSWORD):
    """«Личные данные» → new phone + current password → the code to the old phone (Иванов's):
    returns the response that leads to the new number's «Подтверждение телефона»."""
    from django.urls import reverse

    client.post(reverse("accounts:profile_phone"), {"phone": phone, "password": password})
    return client.post(reverse("accounts:profile_change_confirm"), {"code": last_code(DEMO_PHONE)})


__all__ = [
    "DEMO_PASSWORD",
    "DEMO_PHONE",
    "PETROV_PHONE",
    "codes_sent",
    "last_code",
    "phone_change_to_new_number",
]
