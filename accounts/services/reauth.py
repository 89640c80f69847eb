"""The current password asked again before a sensitive change (pen-test #10 item 7).

Wrong answers count on the same per-account counter as failed logins (django-axes): five of
them lock the account for the cool-off, exactly as at the login, so a stolen session cannot be
used to guess the password. The counter needs the request (axes reads the address from it).
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed

from ..models import User

MSG_WRONG = "Текущий пароль введён неверно."
MSG_LOCKED = (
    "Слишком много неверных паролей. Смена данных и вход временно заблокированы; "
    "попробуйте позже или восстановите пароль через «Забыли пароль?»."
)


class PasswordRecheckFailed(Exception):
    def __init__(self, message: str, *, locked: bool):
        super().__init__(message)
        self.message = message
        self.locked = locked


def password_recheck(*, request, user: User, password: str) -> None:
    """Raises PasswordRecheckFailed for a wrong password or a locked account."""
    credentials = {"username": str(user.phone)}
    if AxesProxyHandler.is_locked(request, credentials):
        raise PasswordRecheckFailed(MSG_LOCKED, locked=True)
    if user.check_password(password):
        return
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    locked = bool(getattr(request, "axes_locked_out", False))
    # Axes marks the request so its middleware answers with the login lockout page; a person
    # signed in on «Личные данные» gets this page with the message instead.
    request.axes_locked_out = False
    raise PasswordRecheckFailed(MSG_LOCKED if locked else MSG_WRONG, locked=locked)
