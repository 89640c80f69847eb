"""The registration form's password hint names the length the validators really require (the
guide's screenshot showed «не короче 8 символов» while 12 were needed)."""

from django.conf import settings


def test_the_registration_hint_names_the_validators_minimum_length(client, db):
    minimum = next(
        v["OPTIONS"]["min_length"]
        for v in settings.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    )
    page = client.get("/register/").content.decode()
    assert f"не короче {minimum} символов" in page
