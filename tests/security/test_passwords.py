"""Issue #18 item 4: newly chosen passwords have at least 12 characters and are not in the
list of common/breached passwords Django ships (ASVS 5.0 V6.2.1, V6.2.4); the demo password
of SPEC §4 stays."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, DEMO_PHONE, seed_accounts
from tests.accounts.conftest import PETROV_FORM


@pytest.mark.parametrize(
    "password, message",
    [
        ("Kedr-Luna-7", "слишком короткий"),  # 11 characters
        ("qwerty123456", "слишком широко распространён"),  # 12, but in the breached list
        ("1q2w3e4r5t6y", "слишком широко распространён"),
    ],
)
def test_weak_new_passwords_are_refused_in_russian(password, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert message in " ".join(exc.value.messages)


def test_a_long_uncommon_password_is_accepted():
    validate_password("Sosna-Luna-42")


def test_password_change_refuses_eleven_characters(client, demo):
    user = seed_accounts()["ivanov_user"]
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile_password"),
        {"old_password": DEMO_PASSWORD, "password1": "Kedr-Luna-7", "password2": "Kedr-Luna-7"},
    )
    assert "слишком короткий" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_registration_refuses_a_breached_password(client, demo):
    form = {**PETROV_FORM, "password1": "qwerty123456", "password2": "qwerty123456"}
    response = client.post(reverse("accounts:register"), form)
    assert "слишком широко распространён" in response.content.decode()


def test_the_demo_password_of_spec_4_still_logs_in(client, demo):
    seed_accounts()
    assert len(DEMO_PASSWORD) == 10
    response = client.post(
        reverse("accounts:login"), {"username": DEMO_PHONE, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
