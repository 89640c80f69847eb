"""Issue #18 item 4: an insured session ends after 30 minutes idle unless «Запомнить меня»
(ASVS 5.0 V7.3.1); staff sessions always have the limit."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, DEMO_PHONE, seed_accounts
from tests.staff import staff_login

START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
POLICIES = "/policies/"


@pytest.fixture
def ivanov(demo):
    return seed_accounts()["ivanov_user"]


def login(client, remember: bool):
    data = {"username": DEMO_PHONE, "password": DEMO_PASSWORD}
    if remember:
        data["remember_me"] = "on"
    response = client.post(reverse("accounts:login"), data)
    assert response.status_code == 302


def test_idle_for_more_than_30_minutes_ends_the_session(client, ivanov):
    with time_machine.travel(START, tick=False) as clock:
        login(client, remember=False)
        assert client.get(POLICIES).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(POLICIES)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        page = client.get(response.url).content.decode()
        assert "больше 30 минут" in page


def test_activity_keeps_the_session_alive(client, ivanov):
    with time_machine.travel(START, tick=False) as clock:
        login(client, remember=False)
        for _ in range(4):  # two hours in all, never 30 minutes without a request
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(POLICIES).status_code == 200


def test_remember_me_is_not_cut_by_the_idle_limit(client, ivanov):
    with time_machine.travel(START, tick=False) as clock:
        login(client, remember=True)
        clock.shift(dt.timedelta(hours=5))
        assert client.get(POLICIES).status_code == 200


def test_staff_sessions_always_have_the_idle_limit(client, django_user_model):
    staff = django_user_model.objects.create_superuser("+79990001003", "Staff-pass-2026!")
    with time_machine.travel(START, tick=False) as clock:
        staff_login(client, staff)
        assert client.get("/admin/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/admin/").status_code == 302
