"""Changing the login phone or the e-mail: who may (pen-test #10 item 7).

The current password (services.reauth) and then one of: a code to the OLD phone; when that
phone is lost, a link to the confirmed e-mail; without one, an operator in admin. Only then
does the change go on: a code to the new phone (services.profile) or a link to the new
e-mail (services.email).
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from audit.services import audit_log
from dms_portal import clock
from notifications.services import notify

from ..models import OneTimeCode, ProfileChange, User
from ..phones import format_phone
from . import codes, email
from .profile import ProfileError

EVENT_OLD_PHONE_CODE = "accounts_profile_change_code"
EVENT_EMAIL_LINK = "accounts_profile_change_confirm"
EVENT_DECIDED = "accounts_profile_change_decided"
LINK_SALT = "accounts.profile-change"
# An unfinished change (and its e-mail link) is dropped after this.
CHANGE_TTL = dt.timedelta(days=1)

PURPOSE = OneTimeCode.Purpose.PROFILE_CHANGE
S = ProfileChange.Status


class ChangeLinkInvalid(Exception):
    message = (
        "Ссылка для подтверждения недействительна или устарела. "
        "Начните смену заново в разделе «Личные данные»."
    )


def _shown(kind: str, value: str) -> str:
    return format_phone(value) if kind == ProfileChange.Kind.PHONE else value


def profile_change_start(
    *, user: User, kind: str, new_value: str, binding: str, ip: str | None
) -> tuple[ProfileChange, OneTimeCode]:
    """After the password: open the change and send a code to the current phone."""
    old_value = str(user.phone) if kind == ProfileChange.Kind.PHONE else user.email
    if kind == ProfileChange.Kind.PHONE and new_value == old_value:
        raise ProfileError("Это ваш текущий номер телефона.")
    now = clock.now()
    with transaction.atomic():
        ProfileChange.objects.filter(user=user, status__in=ProfileChange.OPEN).update(
            status=S.CANCELLED, decided_at=now
        )
        change = ProfileChange.objects.create(
            user=user, kind=kind, new_value=new_value, old_value=old_value, created_at=now, ip=ip
        )
        challenge = codes.code_issue(
            phone=str(user.phone),
            purpose=PURPOSE,
            binding=binding,
            ip=ip,
            event=EVENT_OLD_PHONE_CODE,
            user=user,
        )
        audit_log(
            action="accounts.profile_change_requested",
            actor=user,
            target=user,
            ip=ip,
            kind=kind,
            new=new_value,
        )
    return change, challenge


def profile_change_get(
    *, user: User, change_id, statuses=ProfileChange.OPEN
) -> ProfileChange | None:
    """The user's own change in one of `statuses`, not older than CHANGE_TTL."""
    if not change_id:
        return None
    return ProfileChange.objects.filter(
        pk=change_id, user=user, status__in=statuses, created_at__gte=clock.now() - CHANGE_TTL
    ).first()


def profile_change_approved(*, user: User) -> ProfileChange | None:
    """The approved phone change waiting for its code to the new number, if any."""
    return (
        ProfileChange.objects.filter(
            user=user,
            kind=ProfileChange.Kind.PHONE,
            status=S.APPROVED,
            created_at__gte=clock.now() - CHANGE_TTL,
        )
        .order_by("-created_at")
        .first()
    )


def profile_change_waiting(*, user: User) -> ProfileChange | None:
    """The change waiting for the e-mail link or the operator (shown on «Личные данные»)."""
    return (
        ProfileChange.objects.filter(
            user=user, status__in=[S.AWAITING, S.OPERATOR], created_at__gte=clock.now() - CHANGE_TTL
        )
        .order_by("-created_at")
        .first()
    )


def profile_change_verify_old_phone(
    *, user: User, change: ProfileChange, challenge_id, binding: str, code: str, ip: str | None
) -> ProfileChange:
    challenge = codes.code_challenge_get(
        challenge_id=challenge_id, purpose=PURPOSE, binding=binding
    )
    if challenge.user_id != user.pk:
        raise codes.CodeNotFound()
    codes.code_verify(challenge_id=challenge.pk, purpose=PURPOSE, binding=binding, code=code)
    return _approve(change=change, via=ProfileChange.Via.OLD_PHONE, by=None, ip=ip)


def profile_change_resend(*, user: User, challenge_id, binding: str, ip: str | None) -> OneTimeCode:
    return codes.code_resend(
        challenge_id=challenge_id,
        purpose=PURPOSE,
        binding=binding,
        ip=ip,
        event=EVENT_OLD_PHONE_CODE,
    )


def _approve(
    *, change: ProfileChange, via: str, by: User | None, ip: str | None, from_=(S.AWAITING,)
):
    with transaction.atomic():
        locked = ProfileChange.objects.select_for_update().get(pk=change.pk)
        if locked.status not in from_ or locked.created_at < clock.now() - CHANGE_TTL:
            raise ProfileError("Этот запрос на смену уже обработан или устарел. Начните заново.")
        locked.status = S.APPROVED
        locked.approved_via = via
        locked.decided_at = clock.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "approved_via", "decided_at", "decided_by"])
        audit_log(
            action="accounts.profile_change_approved",
            actor=by or locked.user,
            target=locked.user,
            ip=ip,
            kind=locked.kind,
            via=via,
        )
        if locked.kind == ProfileChange.Kind.EMAIL:
            # Approved: the new address gets its confirmation link; the link does the rest.
            email.email_change_request(user=locked.user, new_email=locked.new_value, ip=ip)
            locked.status = S.DONE
            locked.save(update_fields=["status"])
    return locked


def profile_change_lost_phone(*, user: User, change: ProfileChange, ip: str | None) -> str:
    """«Нет доступа к старому номеру»: a link to the confirmed e-mail ("email"), or else a
    request for the operator ("operator")."""
    if user.email and user.email_confirmed_at:
        token = signing.dumps({"c": change.pk, "u": user.pk}, salt=LINK_SALT)
        link = settings.SITE_URL.rstrip("/") + reverse(
            "accounts:profile_change_approve", args=[token]
        )
        notify(
            event=EVENT_EMAIL_LINK,
            context={
                "link": link,
                "name": user.first_name,
                "kind": change.kind,
                "new_value": _shown(change.kind, change.new_value),
            },
            email=user.email,
            user_id=user.pk,
            # The link approves the change: like a code, it must not show in the history of
            # «Личные данные», where a stolen session would find it.
            sensitive=True,
        )
        audit_log(action="accounts.profile_change_email_link", actor=user, target=user, ip=ip)
        return "email"
    with transaction.atomic():
        ProfileChange.objects.filter(pk=change.pk, status=S.AWAITING).update(status=S.OPERATOR)
        audit_log(action="accounts.profile_change_to_operator", actor=user, target=user, ip=ip)
    return "operator"


def profile_change_link_read(token: str) -> dict:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=int(CHANGE_TTL.total_seconds()))
    except signing.BadSignature as exc:
        raise ChangeLinkInvalid() from exc
    if not isinstance(data, dict) or not {"c", "u"} <= data.keys():
        raise ChangeLinkInvalid()
    return data


def profile_change_approve_by_link(*, token: str, ip: str | None) -> ProfileChange:
    data = profile_change_link_read(token)
    change = ProfileChange.objects.filter(pk=data["c"], user_id=data["u"]).first()
    if change is None:
        raise ChangeLinkInvalid()
    try:
        return _approve(change=change, via=ProfileChange.Via.EMAIL, by=None, ip=ip)
    except ProfileError as exc:
        raise ChangeLinkInvalid() from exc


def profile_change_decide(*, change: ProfileChange, by: User, approve: bool) -> bool:
    """An operator's decision on a change waiting for him; False when it is not waiting."""
    if approve:
        try:
            change = _approve(
                change=change, via=ProfileChange.Via.OPERATOR, by=by, ip=None, from_=(S.OPERATOR,)
            )
        except ProfileError:
            return False
    else:
        with transaction.atomic():
            if not ProfileChange.objects.filter(pk=change.pk, status=S.OPERATOR).update(
                status=S.REJECTED, decided_at=clock.now(), decided_by=by
            ):
                return False
            audit_log(action="accounts.profile_change_rejected", actor=by, target=change.user)
    notify(
        event=EVENT_DECIDED,
        context={"approved": approve, "kind": change.kind},
        phone=str(change.user.phone),
        email=change.user.email or None,
        user_id=change.user_id,
    )
    return True
