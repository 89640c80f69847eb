"""The installable app (SPEC §3.9): manifest, service worker, head tags, icons, logout purge."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image, ImageChops

from portal import pwa

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def test_manifest_is_served_from_the_root_with_the_spec_fields(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Личный кабинет ДМС"
    assert manifest["start_url"] == reverse("policies:my_policies") == "/policies/"
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    assert manifest["theme_color"] == pwa.THEME_COLOR
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_manifest_icons_exist_with_their_declared_sizes(client):
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_committed_icons_are_what_the_script_draws(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_icons.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    names = ["icon-192.png", "icon-512.png", "icon-maskable-512.png", "apple-touch-icon.png"]
    for name in names:
        with Image.open(tmp_path / name) as drawn, Image.open(ROOT / "static/icons" / name) as kept:
            assert drawn.size == kept.size
            assert (
                ImageChops.difference(drawn.convert("RGBA"), kept.convert("RGBA")).getbbox() is None
            )


def test_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["version"] == pwa.shell_version()
    assert config["cardsCache"] == pwa.CARDS_CACHE
    assert config["logoutPath"] == reverse("accounts:logout")
    assert reverse("portal:offline") in config["shell"]
    # The shell is static files and the offline page, nothing that carries personal data.
    for url in config["shell"]:
        assert url.startswith("/static/") or url == reverse("portal:offline"), url


def test_offline_page_carries_nothing_of_the_user(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    response = client.get(reverse("portal:offline"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Нет подключения к интернету" in html
    assert "Иванов" not in html
    assert "csrfmiddlewaretoken" not in html
    assert "Выход" not in html


def test_every_page_has_the_manifest_theme_color_touch_icon_and_install_prompt(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert f'<meta name="theme-color" content="{pwa.THEME_COLOR}">' in html
    assert 'rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png"' in html
    assert "Установить приложение" in html
    assert "/static/js/pwa.js" in html
    # Signed-out pages tell pwa.js to drop any cached card.
    assert 'data-session="anonymous"' in html


def test_logout_asks_the_browser_to_clear_caches_and_drops_the_card_cookie(client, ivanov_user):
    client.force_login(ivanov_user)
    client.cookies[pwa.OFFLINE_COOKIE] = "old-tag"
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'
    assert response.cookies[pwa.OFFLINE_COOKIE].value == ""
    assert response.cookies[pwa.OFFLINE_COOKIE]["max-age"] == 0


def test_signed_in_pages_are_not_stored_by_http_caches(client, demo, ivanov_user):
    client.force_login(ivanov_user)
    for name in ("invoices:my_invoices", "accounts:profile", "policies:my_policies"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


def test_manifest_and_worker_answer_head_requests(client):
    # Browsers and audit tools probe with HEAD; a 405 there looked like a missing file.
    for url in ("/manifest.webmanifest", "/sw.js", reverse("portal:offline")):
        assert client.head(url).status_code == 200, url
