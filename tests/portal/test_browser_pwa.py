"""The installable app in Chromium at 390 px (issue 16, «Must show»): manifest and icons, the
worker, «Карточка полиса» offline, the purge at «Выход», and another user on the same phone."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from portal import pwa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def session_cookie(live_server, user, expiry=None) -> dict:
    """A force-logged-in session for the browser (login itself is tested in accounts)."""
    client = Client()
    client.force_login(user)
    if expiry is not None:
        session = client.session
        session.set_expiry(expiry)
        session.save()
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=PHONE)
    yield context
    context.close()


def worker_ready(page) -> bool:
    return page.evaluate(
        "navigator.serviceWorker.ready.then(r => Boolean(r.active && r.scope.endsWith('/')))"
    )


def cached_cards(page) -> list[str]:
    return page.evaluate(
        f"caches.has('{pwa.CARDS_CACHE}').then(has => has ? caches.open('{pwa.CARDS_CACHE}')"
        ".then(c => c.keys()).then(ks => ks.map(k => new URL(k.url).pathname)) : [])"
    )


def wait_for_cached(page, path: str) -> None:
    for _ in range(50):
        if path in cached_cards(page):
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} was not cached: {cached_cards(page)}")


def open_card(page, live_server, person) -> str:
    path = reverse("policies:card", args=[person.pk])
    page.goto(live_server.url + reverse("policies:my_policies"))
    assert worker_ready(page)
    page.locator(f"#policy-{person.pk}").get_by_role("link", name="Карточка полиса").click()
    expect(page.get_by_role("heading", name=person.full_name)).to_be_visible()
    wait_for_cached(page, path)
    return path


def test_manifest_icons_and_worker(phone, live_server, demo, ivanov_user):
    phone.add_cookies([session_cookie(live_server, ivanov_user)])
    page = phone.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + reverse("policies:my_policies"))
    assert worker_ready(page)
    page.goto(live_server.url + reverse("policies:card", args=[demo["ivanov"].pk]))
    assert errors == []  # no CSP refusals for the worker, the manifest or the inline QR
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "Личный кабинет ДМС"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/policies/"
    for icon in manifest["icons"]:
        loaded = page.request.get(live_server.url + icon["src"])
        assert loaded.ok and loaded.headers["content-type"] == "image/png", icon
    assert page.locator("meta[name=theme-color]").get_attribute("content") == pwa.THEME_COLOR
    sw = page.request.get(live_server.url + "/sw.js")
    assert sw.headers["content-type"].startswith("text/javascript")


def test_card_opens_offline_and_is_gone_after_logout(
    phone, live_server, demo, ivanov_user, screenshot
):
    phone.add_cookies([session_cookie(live_server, ivanov_user)])
    page = phone.new_page()
    path = open_card(page, live_server, demo["ivanov"])
    expect(page.get_by_role("img", name="QR-код номера полиса")).to_be_visible()
    expect(page.locator("[data-offline-note]")).to_be_hidden()
    screenshot(page, "policy-card-online", widths=(390, 1280))

    phone.set_offline(True)
    page.reload()
    expect(page.get_by_text("DMS-0001", exact=True)).to_be_visible()
    expect(
        page.get_by_text("Нет подключения к интернету. Показана сохранённая карточка")
    ).to_be_visible()
    expect(page.locator(".policy-pass a[href^='tel:']")).to_be_visible()
    screenshot(page, "policy-card-offline", widths=(390,))
    # Nothing else was kept: another page gives the short offline page.
    page.goto(live_server.url + reverse("invoices:my_invoices"))
    expect(page.get_by_role("heading", name="Нет подключения к интернету")).to_be_visible()
    expect(page.get_by_role("link", name="Карточка полиса 1")).to_be_visible()
    screenshot(page, "pwa-offline-page", widths=(390,))

    # The network is back: pages come from it again, not from a stale copy.
    phone.set_offline(False)
    page.goto(live_server.url + reverse("invoices:my_invoices"))
    expect(page.get_by_role("heading", name="Мои счета")).to_be_visible()

    page.goto(live_server.url + reverse("policies:my_policies"))
    page.get_by_role("button", name="Меню").click()
    page.get_by_role("button", name="Выход").click()
    # The worker deletes the cached cards before the logout POST goes on: on a loaded machine
    # that takes longer than the default 5 s wait.
    expect(page.get_by_role("button", name="Войти")).to_be_visible(timeout=20_000)
    assert cached_cards(page) == []
    phone.set_offline(True)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name="Нет подключения к интернету")).to_be_visible()
    expect(page.get_by_text("DMS-0001", exact=True)).to_have_count(0)


def test_another_user_on_the_same_phone_never_sees_the_card(
    phone, live_server, demo, ivanov_user, petrov_user
):
    phone.add_cookies([session_cookie(live_server, ivanov_user)])
    page = phone.new_page()
    path = open_card(page, live_server, demo["ivanova"])
    # Петров takes the phone without Иванов logging out (his session simply replaced).
    phone.clear_cookies()
    phone.add_cookies([session_cookie(live_server, petrov_user)])
    response = page.goto(live_server.url + path)
    assert response.status == 404  # online, another user's card id is refused
    phone.set_offline(True)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name="Нет подключения к интернету")).to_be_visible()
    expect(page.get_by_text("DMS-0002", exact=True)).to_have_count(0)
    assert cached_cards(page) == []


def test_card_is_dropped_when_the_session_expires(phone, live_server, demo, ivanov_user):
    phone.add_cookies([session_cookie(live_server, ivanov_user, expiry=4)])
    page = phone.new_page()
    path = open_card(page, live_server, demo["ivanov"])
    time.sleep(4.5)
    phone.set_offline(True)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name="Нет подключения к интернету")).to_be_visible()
    assert cached_cards(page) == []


def test_new_release_replaces_the_shell_cache(phone, live_server, demo, ivanov_user, monkeypatch):
    phone.add_cookies([session_cookie(live_server, ivanov_user)])
    page = phone.new_page()
    page.goto(live_server.url + reverse("policies:my_policies"))
    assert worker_ready(page)
    old = pwa.SHELL_CACHE_PREFIX + pwa.shell_version()
    assert old in page.evaluate("caches.keys()")
    monkeypatch.setattr(pwa, "shell_version", lambda: "release2")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    new = pwa.SHELL_CACHE_PREFIX + "release2"
    for _ in range(50):
        names = page.evaluate("caches.keys()")
        if new in names and old not in names:
            break
        time.sleep(0.1)
    assert new in names and old not in names, names


def test_install_prompt_shows_only_when_the_browser_offers_it(
    phone, live_server, demo, ivanov_user, screenshot
):
    phone.add_cookies([session_cookie(live_server, ivanov_user)])
    page = phone.new_page()
    page.goto(live_server.url + reverse("policies:my_policies"))
    install = page.get_by_role("button", name="Установить приложение")
    expect(install).to_be_hidden()
    # Headless Chromium never offers installation by itself: play the browser's part.
    page.evaluate(
        """() => {
          const offer = new Event("beforeinstallprompt", {cancelable: true});
          offer.prompt = () => { window.__prompted = true; };
          offer.userChoice = Promise.resolve({outcome: "accepted"});
          window.dispatchEvent(offer);
        }"""
    )
    expect(install).to_be_visible()
    expect(page.get_by_role("link", name="Карточка полиса")).to_have_count(2)
    screenshot(page, "my-policies-install")
    install.click()
    assert page.evaluate("window.__prompted") is True
    expect(install).to_be_hidden()
