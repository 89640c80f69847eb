"""«Забыли пароль?»: phone → SMS code → new password. Every phone gets the same answer."""

import datetime as dt

from django.db import transaction

from audit.services import audit_log
from dms_portal import clock
from notifications.services import notify

from ..models import OneTimeCode, User
from . import codes

EVENT_CODE = "accounts_password_reset_code"
# After the code is accepted the new password must be set within this time.
VERIFIED_TTL = dt.timedelta(minutes=10)


class RecoveryError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def password_reset_start(*, phone: str, binding: str, ip: str | None) -> OneTimeCode:
    """A challenge for any phone; the code leaves only when an active account has it."""
    user = User.objects.filter(phone=phone, is_active=True).first()
    return codes.code_issue(
        phone=phone,
        purpose=OneTimeCode.Purpose.PASSWORD_RESET,
        binding=binding,
        ip=ip,
        event=EVENT_CODE,
        user=user,
        decoy=user is None,
    )


def password_reset_resend(*, challenge_id, binding: str, ip: str | None) -> OneTimeCode:
    return codes.code_resend(
        challenge_id=challenge_id,
        purpose=OneTimeCode.Purpose.PASSWORD_RESET,
        binding=binding,
        ip=ip,
        event=EVENT_CODE,
    )


def password_reset_verify(*, challenge_id, binding: str, code: str) -> OneTimeCode:
    return codes.code_verify(
        challenge_id=challenge_id,
        purpose=OneTimeCode.Purpose.PASSWORD_RESET,
        binding=binding,
        code=code,
    )


def password_reset_complete(*, challenge_id, binding: str, password: str, ip: str | None) -> User:
    """Set the new password after a verified code (same session, within VERIFIED_TTL)."""
    challenge = codes.code_challenge_get(
        challenge_id=challenge_id, purpose=OneTimeCode.Purpose.PASSWORD_RESET, binding=binding
    )
    if challenge.used_at is None or challenge.user_id is None:
        raise RecoveryError("Сначала подтвердите номер телефона кодом из SMS.")
    if clock.now() - challenge.used_at > VERIFIED_TTL:
        raise RecoveryError("Время на смену пароля истекло. Запросите новый код.")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=challenge.user_id, is_active=True).first()
        if user is None:
            raise RecoveryError("Не удалось сменить пароль. Запросите новый код.")
        user.set_password(password)
        user.save(update_fields=["password"])
        # The challenge cannot set a password twice.
        OneTimeCode.objects.filter(pk=challenge.pk).update(user=None)
        audit_log(action="accounts.password_reset", actor=user, target=user, ip=ip)
    _axes_reset(str(user.phone))
    notify(
        event="accounts_password_changed",
        context={"at": clock.moscow_now()},
        phone=str(user.phone),
        email=user.email or None,
        user_id=user.pk,
    )
    return user


def _axes_reset(username: str) -> None:
    # Whoever proved the phone by SMS is its owner: lift the login lock on the account.
    from axes.utils import reset

    reset(username=username)
