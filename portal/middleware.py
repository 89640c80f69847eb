"""Response rules of the installable app that no single view can own (SPEC §3.9).

- A policy card (`policies:card`) is marked for the service worker: X-Offline-Until (when the
  session ends, ms since the epoch) and X-Offline-Tag (the session's tag), and the tag cookie is
  set with the session's own lifetime. Only responses marked this way are ever cached.
- «Выход» (`accounts:logout`) clears the tag cookie and asks the browser to drop its caches
  (Clear-Site-Data); the worker itself deletes the cached cards as the logout request passes.
- Pages for a signed-in user are never stored by a browser or proxy cache (on a shared computer
  after logout, say) unless the view chose its own policy (NoStoreForAuthenticatedMiddleware).
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from dms_portal import clock

from . import pwa

CARD_VIEW = "policies:card"
LOGOUT_VIEW = "accounts:logout"


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def _mark_card(request, response) -> None:
    session = request.session
    tag = pwa.offline_tag(session.session_key or "")
    browser_session = session.get_expire_at_browser_close()
    if browser_session:
        # Ends with the browser, which a worker cannot see without cookieStore (Firefox):
        # bound the offline copy by a day instead of the 30 days Django would report.
        expires = clock.now() + pwa.BROWSER_SESSION_OFFLINE
    else:
        expires = session.get_expiry_date()
    response[pwa.HEADER_UNTIL] = str(int(expires.timestamp() * 1000))
    response[pwa.HEADER_TAG] = tag
    response.set_cookie(
        pwa.OFFLINE_COOKIE,
        tag,
        max_age=None if browser_session else session.get_expiry_age(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,
        samesite="Strict",
    )


class NoStoreForAuthenticatedMiddleware:
    """Responses for a logged-in user carry personal data (policies, invoices, appeals,
    files): no browser or proxy cache may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # A view that chose its own policy (downloads say "private, no-store") keeps it.
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class OfflineCardsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session key may change inside the view (login rotates it); read it afterwards.
        response = self.get_response(request)
        view_name = _view_name(request)
        user = getattr(request, "user", None)
        if view_name == LOGOUT_VIEW and request.method == "POST":
            response["Clear-Site-Data"] = '"cache"'
            response.delete_cookie(pwa.OFFLINE_COOKIE, samesite="Strict")
        elif (
            view_name == CARD_VIEW
            and response.status_code == 200
            and user is not None
            and user.is_authenticated
        ):
            _mark_card(request, response)
        return response
