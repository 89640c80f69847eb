"""The installable app's own URLs: manifest, service worker and the offline page (SPEC §3.9)."""

import json

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from . import pwa


@require_safe
def manifest(request):
    response = JsonResponse(
        pwa.manifest_build(),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def service_worker(request):
    config = {
        "version": pwa.shell_version(),
        "shellPrefix": pwa.SHELL_CACHE_PREFIX,
        "cardsCache": pwa.CARDS_CACHE,
        "shell": pwa.shell_urls(),
        "offlineUrl": reverse("portal:offline"),
        "logoutPath": reverse("accounts:logout"),
        "loginPath": reverse("accounts:login"),
        "cookie": pwa.OFFLINE_COOKIE,
        "headerUntil": pwa.HEADER_UNTIL,
        "headerTag": pwa.HEADER_TAG,
    }
    body = render_to_string("portal/sw.js", {"config": json.dumps(config, ensure_ascii=False)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on navigations; never let a cache answer for it.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def offline(request):
    """What the worker shows for a page it has no copy of. Cached for everyone, so it carries
    nothing of the user: no name, no menu, no CSRF token."""
    return render(request, "portal/offline.html", {"app_name": pwa.APP_NAME})


@require_safe
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page links: the app icon (a
    redirect to the hashed static file, kept for a day so a new icon reaches them)."""
    response = HttpResponseRedirect(static("icons/icon-192.png"))
    response["Cache-Control"] = "max-age=86400, public"
    return response
