"""«Клиники» with and without a tile server, and the account menu's fit (issue 17)."""

import base64

import pytest
from django.test import Client
from playwright.sync_api import expect

from clinics.demo import seed_clinics
from clinics.services import clinics_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A 1×1 grey PNG: the fake tile server answers every tile with it (no network here).
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mO8+R8AAt8B7mK6tV0AAAAASUVORK5CYII="
)
TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
MORE = (
    "Код ЛПУ;Наименование ЛПУ;Адрес;Телефоны;Услуги;Широта;Долгота;Программы\n"
    "7701000002;Стоматология «Улыбка»;г. Москва, ул. Арбат, д. 5;+7 495 111-11-11;"
    "Стоматология, Хирургия;55.7520;37.5930;полная\n"
)


@pytest.fixture
def page_as_owner(browser, live_server, demo, ivanov_user):
    seed_clinics()
    clinics_load(data=MORE.encode())
    client = Client()
    client.force_login(ivanov_user)
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    yield context.new_page()
    context.close()


def test_clinics_without_a_tile_server_show_the_list_only(
    page_as_owner, live_server, settings, screenshot
):
    settings.MAP_TILE_URL = ""
    page = page_as_owner
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Клиники").click()
    expect(page.get_by_role("heading", name="Клиника «Здоровье»")).to_be_visible()
    expect(page.locator("#clinics-map")).to_have_count(0)
    route = page.get_by_role("link", name="Построить маршрут").first
    expect(route).to_have_attribute(
        "href", "https://yandex.ru/maps/?rtext=~55.762300,37.607500&rtt=auto"
    )
    page.get_by_label("Поиск по названию, адресу или услуге").fill("стоматологию")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_role("heading", name="Стоматология «Улыбка»")).to_be_visible()
    screenshot(page, "clinics-list")


def test_clinics_with_a_tile_server_show_the_map(page_as_owner, live_server, settings, screenshot):
    settings.MAP_TILE_URL = TILE_URL
    page = page_as_owner
    tiles = []

    def serve_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    page.route("https://tiles.example.test/**", serve_tile)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/clinics/")
    expect(page.locator("#clinics-map.care-map--ready")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(2)
    expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible()
    assert tiles and not errors
    screenshot(page, "clinics-map")


def test_menu_fits_at_1280_and_sos_is_in_the_header_at_every_width(
    page_as_owner, live_server, screenshot
):
    page = page_as_owner
    page.goto(live_server.url + "/policies/")
    for label in ("Мои счета", "Клиники", "Запись к врачу", "Поддержка", "Личные данные"):
        expect(page.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Выход")).to_be_visible()
    fits = page.evaluate(
        "() => [document.documentElement.scrollWidth <= document.documentElement.clientWidth,"
        " [...document.querySelectorAll('.portal-header .nav-link, .portal-sos')]"
        ".every(a => a.getBoundingClientRect().right <= document.documentElement.clientWidth)]"
    )
    assert fits == [True, True]
    for width in (1280, 992, 768, 390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        expect(page.get_by_role("link", name="SOS")).to_be_visible()
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    page.set_viewport_size({"width": 390, "height": 800})
    page.get_by_role("button", name="Меню").click()
    expect(page.locator("#portal-menu.collapse.show")).to_be_visible()  # the fold has opened
    expect(page.get_by_role("button", name="Выход")).to_be_visible()
    screenshot(page, "menu-open", widths=(390,))
