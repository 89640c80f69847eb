"""The installable web app (SPEC §3.9): manifest, service-worker settings, offline-card rules.

The service worker caches exactly two things: the app shell listed here and the responses the
server marks as an offline policy card (header `X-Offline-Until`). Everything else goes to the
network and, without one, gets the offline page.
"""

import datetime as dt
import hashlib
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac

APP_NAME = "Личный кабинет ДМС"
SHORT_NAME = "ДМС"
THEME_COLOR = "#0b4f8a"  # --portal-brand
BACKGROUND_COLOR = "#f4f7fb"

# The card cache's name changes only when the card cache's format does; the shell cache's name
# changes with every release that changes the shell (see shell_version).
CARDS_CACHE = "dms-cards-v1"
SHELL_CACHE_PREFIX = "dms-shell-"

# Cookie that ties cached cards to the session that fetched them. Readable by scripts (and by
# the service worker through cookieStore) on purpose: it carries only an HMAC of the session key,
# which reveals nothing and changes with every login; it lives exactly as long as the session.
OFFLINE_COOKIE = "dms_offline"
HEADER_UNTIL = "X-Offline-Until"
HEADER_TAG = "X-Offline-Tag"
# How long a card fetched in a session without «Запомнить меня» may open offline.
BROWSER_SESSION_OFFLINE = dt.timedelta(hours=24)

SHELL_STATIC = [
    settings.BOOTSTRAP_CSS,
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "css/portal.css",
    "css/policies.css",
    "css/pwa.css",
    "js/portal.js",
    "js/pwa.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-512.png",
    "icons/apple-touch-icon.png",
]


def manifest_build() -> dict:
    """The web app manifest with the fields SPEC §3.9 names."""
    return {
        "id": "/",
        "name": APP_NAME,
        "short_name": SHORT_NAME,
        "description": "Полисы ДМС, счета и медицинский пульт страховщика — на телефоне.",
        "lang": "ru",
        "dir": "ltr",
        "start_url": reverse("policies:my_policies"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }


def shell_urls() -> list[str]:
    return [reverse("portal:offline"), *(static(path) for path in SHELL_STATIC)]


@lru_cache(maxsize=1)
def shell_version() -> str:
    """A short hash of the shell's URLs, the files' contents and the worker's own source.

    A release that changes any of them gets new cache names, so the new worker installs, takes
    over (skipWaiting) and deletes the old shell. Computed once per process: a release restarts
    the processes.
    """
    digest = hashlib.sha256()
    for url in shell_urls():
        digest.update(url.encode())
    for path in SHELL_STATIC:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    digest.update(get_template("portal/sw.js").template.source.encode())
    return digest.hexdigest()[:12]


def offline_tag(session_key: str) -> str:
    """What a cached card is bound to: an HMAC of the session key (new at every login)."""
    return salted_hmac("portal.offline-card", session_key).hexdigest()[:24]
