import pytest
from django.test import RequestFactory, override_settings

from accounts.ip import client_ip
from accounts.phones import axes_username, format_phone, normalize_phone


@pytest.mark.parametrize(
    "typed",
    [
        "9991234567",
        "+7 999 123-45-67",
        "8 999 123 45 67",
        "+79991234567",
        "89991234567",
        "79991234567",
        "(999) 123-45-67",
        " 999.123.45.67 ",
    ],
)
def test_usual_russian_forms_become_e164(typed):
    assert normalize_phone(typed) == "+79991234567"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12345",
        "999123456",  # nine digits
        "99912345678",  # eleven digits not starting with 7/8
        "+1 999 123 45 67",
        "4951234567",  # a landline, not a mobile
        "999abc4567",
        "+7 999 123 45 67 8",
        "9+991234567",
    ],
)
def test_anything_else_is_not_a_phone(typed):
    assert normalize_phone(typed) is None


def test_phone_is_shown_back_grouped():
    assert format_phone("+79991234567") == "+7 999 123-45-67"


def test_axes_counts_every_spelling_of_a_number_as_one_username():
    assert axes_username(None, {"username": "8 999 123 45 67"}) == "+79991234567"
    request = RequestFactory().post("/", {"username": "999 123-45-67"})
    assert axes_username(request, None) == "+79991234567"
    assert axes_username(None, {"username": "admin"}) == "admin"


def _request(xff=None, remote="10.0.0.5"):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


@override_settings(PROXY_COUNT=0)
def test_without_proxies_forwarded_header_is_ignored():
    assert client_ip(_request(xff="1.2.3.4")) == "10.0.0.5"


@override_settings(PROXY_COUNT=1)
def test_one_proxy_the_rightmost_forwarded_address_is_the_client():
    # The client put a fake address in front; our proxy appended the real one.
    assert client_ip(_request(xff="6.6.6.6, 203.0.113.7")) == "203.0.113.7"


@override_settings(PROXY_COUNT=2)
def test_two_proxies_skip_the_inner_proxy():
    assert client_ip(_request(xff="203.0.113.7, 10.0.0.2")) == "203.0.113.7"


@override_settings(PROXY_COUNT=2)
def test_short_or_garbage_header_falls_back_to_remote_addr():
    assert client_ip(_request(xff="203.0.113.7")) == "10.0.0.5"
    assert client_ip(_request(xff="junk, also-junk")) == "10.0.0.5"
