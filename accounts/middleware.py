"""Idle sessions end (ASVS 5.0 V7.3.1): 30 minutes without a request, unless «Запомнить меня».

A session without «Запомнить меня» already dies with the browser; a browser left open on a
shared computer would keep it alive, hence the idle limit. Staff sessions always have it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

from dms_portal import clock

LAST_SEEN_KEY = "accounts_last_seen"
# The timestamp is rewritten at most once a minute, not on every request.
WRITE_EVERY_SECONDS = 60


def session_is_idle_limited(request) -> bool:
    return request.session.get_expire_at_browser_close() or request.user.is_staff


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and session_is_idle_limited(request):
            now = clock.now().timestamp()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(
                    request,
                    "Сеанс завершён: вы не работали в личном кабинете больше 30 минут. "
                    "Войдите снова.",
                )
            elif last_seen is None or now - last_seen >= WRITE_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
