"""«Карточка полиса» (SPEC §3.9): content, access, and the marks that let it open offline."""

import time

import pytest
from django.urls import reverse

from portal import pwa

pytestmark = pytest.mark.django_db


def card_url(person) -> str:
    return reverse("policies:card", args=[person.pk])


def test_card_shows_what_a_clinic_asks_for(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    response = client.get(card_url(demo["ivanov"]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Карточка полиса",
        "Иванов Иван Иванович",
        "DMS-0001",
        "01.01.2026 – 31.12.2027",
        demo["ivanov"].program.name,
        "Не активирована",  # the fixture roster has no activation
        "Обновлено",
    ):
        assert text in html, text
    desk = demo["ivanov"].contract.medical_desk_phone
    tel = desk.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    assert f'href="tel:{tel}"' in html
    # The QR code is inline SVG drawn on the server, titled with the number it encodes.
    assert '<svg role="img" aria-label="QR-код номера полиса"' in html
    assert "<title>QR-код номера полиса DMS-0001</title>" in html


def test_sponsor_sees_his_relatives_card(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    response = client.get(card_url(demo["ivanova"]))
    assert response.status_code == 200
    assert "DMS-0002" in response.content.decode()


@pytest.mark.parametrize("stranger", ["petrov", "sidorova"])
def test_another_users_card_is_404(client, demo, ivanov_user, stranger):
    client.force_login(ivanov_user)
    response = client.get(card_url(demo[stranger]))
    assert response.status_code == 404
    assert pwa.HEADER_UNTIL not in response
    assert pwa.OFFLINE_COOKIE not in response.cookies


def test_card_needs_login(client, demo):
    response = client.get(card_url(demo["ivanov"]))
    assert response.status_code == 302
    assert pwa.HEADER_UNTIL not in response


def test_card_is_marked_for_the_worker_and_bound_to_the_session(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    response = client.get(card_url(demo["ivanov"]))
    assert response["Cache-Control"] == "private, no-store"
    tag = response[pwa.HEADER_TAG]
    assert tag == pwa.offline_tag(client.session.session_key)
    assert response.cookies[pwa.OFFLINE_COOKIE].value == tag
    until_ms = int(response[pwa.HEADER_UNTIL])
    expected = client.session.get_expiry_date().timestamp() * 1000
    assert abs(until_ms - expected) < 5000
    assert until_ms > time.time() * 1000


def test_a_new_login_gets_a_new_tag(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    first = client.get(card_url(demo["ivanov"]))[pwa.HEADER_TAG]
    client.post(reverse("accounts:logout"))
    client.force_login(ivanov_user)
    second = client.get(card_url(demo["ivanov"]))[pwa.HEADER_TAG]
    assert first != second


def test_browser_session_login_gives_a_browser_session_cookie(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    session = client.session
    session.set_expiry(0)  # «Запомнить меня» not ticked
    session.save()
    response = client.get(card_url(demo["ivanov"]))
    assert response.cookies[pwa.OFFLINE_COOKIE]["max-age"] == ""
    assert response.cookies[pwa.OFFLINE_COOKIE]["expires"] == ""
    # Without cookieStore a worker cannot see the browser close: a day at most offline.
    day_ms = pwa.BROWSER_SESSION_OFFLINE.total_seconds() * 1000
    assert abs(int(response[pwa.HEADER_UNTIL]) - (time.time() * 1000 + day_ms)) < 5000


def test_my_policies_links_each_card(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    html = client.get(reverse("policies:my_policies")).content.decode()
    assert html.count(">Карточка полиса</a>") == 2
    assert f'href="{card_url(demo["ivanov"])}"' in html
    assert f'href="{card_url(demo["ivanova"])}"' in html
    # «Мои полисы» itself is not a card: the worker never keeps it.
    assert pwa.HEADER_UNTIL not in client.get(reverse("policies:my_policies"))
