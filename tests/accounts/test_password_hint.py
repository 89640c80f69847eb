"""The password hints name the length the validators really require (the guide's screenshots
showed «не короче 8 символов» on registration, then on the new password after recovery, while
12 were needed)."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts import forms


def _minimum() -> int:
    return next(
        v["OPTIONS"]["min_length"]
        for v in settings.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    )


def test_the_registration_hint_names_the_validators_minimum_length(client, db):
    page = client.get("/register/").content.decode()
    assert f"не короче {_minimum()} символов" in page


def test_the_new_password_hint_after_recovery_names_the_validators_minimum_length(db):
    # The page itself is reached only after an SMS code (tests/accounts cover that flow); the
    # hint is the template's text, so the template is rendered as the view renders it.
    request = RequestFactory().get("/password/new/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    page = render_to_string(
        "accounts/password_new.html", {"form": forms.SetPasswordForm()}, request=request
    )
    assert f"Не короче {_minimum()} символов" in page
    assert "Не короче 8 символов" not in page
