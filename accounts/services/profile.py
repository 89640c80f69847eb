"""«Личные данные»: password and phone changes (e-mail is in services/email.py)."""

from django.db import IntegrityError, transaction

from audit.services import audit_log
from dms_portal import clock
from notifications.services import notify

from ..models import OneTimeCode, ProfileChange, User
from ..phones import format_phone
from . import codes

EVENT_PHONE_CODE = "accounts_phone_change_code"


class ProfileError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def password_change(*, user: User, new_password: str, ip: str | None) -> User:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        audit_log(action="accounts.password_changed", actor=user, target=user, ip=ip)
    notify(
        event="accounts_password_changed",
        context={"at": clock.moscow_now()},
        phone=str(locked.phone),
        email=locked.email or None,
        user_id=locked.pk,
    )
    return locked


def phone_change_start(
    *, user: User, change: ProfileChange, binding: str, ip: str | None
) -> OneTimeCode:
    """Send a code to the new number of an approved change (services.profile_change). A number
    of another account answers the same way, but no code is sent (a logged-in user must not
    learn who else is registered)."""
    if (
        change.user_id != user.pk
        or change.kind != ProfileChange.Kind.PHONE
        or change.status != ProfileChange.Status.APPROVED
    ):
        raise ProfileError("Сначала подтвердите смену номера. Начните заново.")
    new_phone = change.new_value
    if new_phone == str(user.phone):
        raise ProfileError("Это ваш текущий номер телефона.")
    taken = User.objects.filter(phone=new_phone).exclude(pk=user.pk).exists()
    return codes.code_issue(
        phone=new_phone,
        purpose=OneTimeCode.Purpose.PHONE_CHANGE,
        binding=binding,
        ip=ip,
        event=EVENT_PHONE_CODE,
        user=user,
        decoy=taken,
    )


def phone_change_resend(*, user: User, challenge_id, binding: str, ip: str | None):
    return codes.code_resend(
        challenge_id=challenge_id,
        purpose=OneTimeCode.Purpose.PHONE_CHANGE,
        binding=binding,
        ip=ip,
        event=EVENT_PHONE_CODE,
    )


def phone_change_confirm(
    *, user: User, challenge_id, binding: str, code: str, ip: str | None
) -> User:
    challenge = codes.code_challenge_get(
        challenge_id=challenge_id, purpose=OneTimeCode.Purpose.PHONE_CHANGE, binding=binding
    )
    if challenge.user_id != user.pk:
        raise codes.CodeNotFound()
    codes.code_verify(
        challenge_id=challenge_id,
        purpose=OneTimeCode.Purpose.PHONE_CHANGE,
        binding=binding,
        code=code,
    )
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            old_phone = str(locked.phone)
            locked.phone = challenge.phone
            locked.phone_confirmed_at = clock.now()
            locked.save(update_fields=["phone", "phone_confirmed_at"])
            # The approved change behind this code is finished.
            ProfileChange.objects.filter(
                user=user,
                kind=ProfileChange.Kind.PHONE,
                status=ProfileChange.Status.APPROVED,
                new_value=challenge.phone,
            ).update(status=ProfileChange.Status.DONE)
            audit_log(
                action="accounts.phone_changed",
                actor=user,
                target=user,
                ip=ip,
                old=old_phone,
                new=challenge.phone,
            )
    except IntegrityError as exc:
        raise ProfileError(
            "Не удалось сменить номер: он уже используется. Обратитесь к страховщику."
        ) from exc
    for phone in (old_phone, challenge.phone):
        notify(
            event="accounts_phone_changed",
            context={"new_phone": format_phone(challenge.phone)},
            phone=phone,
            email=locked.email or None if phone == old_phone else None,
            user_id=locked.pk,
        )
    return locked


def digest_preference_set(*, user: User, enabled: bool, ip: str | None) -> User:
    """«Присылать ежемесячную сводку»: on or off (SPEC §3.8). Saving the same choice again
    changes and audits nothing."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.monthly_digest == enabled:
            return locked
        locked.monthly_digest = enabled
        locked.save(update_fields=["monthly_digest"])
        audit_log(action="accounts.monthly_digest", actor=user, target=user, ip=ip, enabled=enabled)
    return locked
