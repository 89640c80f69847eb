"""E-mail confirmation by a signed link (no table: the token carries what it confirms)."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from audit.services import audit_log
from dms_portal import clock
from notifications.services import notify

from ..models import User

SALT = "accounts.email-confirm"
MAX_AGE = 3 * 24 * 3600


class EmailTokenInvalid(Exception):
    message = (
        "Ссылка для подтверждения e-mail недействительна или устарела. "
        "Запросите новую в разделе «Личные данные»."
    )


def email_token_make(*, user: User, new_email: str) -> str:
    # The current address is part of the token: once the e-mail changes, older links die.
    return signing.dumps({"u": user.pk, "old": user.email, "new": new_email}, salt=SALT)


def email_confirmation_send(*, user: User, new_email: str | None = None) -> None:
    new_email = new_email or user.email
    if not new_email:
        return
    token = email_token_make(user=user, new_email=new_email)
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:email_confirm", args=[token])
    notify(
        event="accounts_email_confirm",
        context={"link": link, "name": user.first_name, "days": MAX_AGE // 86400},
        email=new_email,
        user_id=user.pk,
    )


def email_token_read(token: str) -> dict:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:
        raise EmailTokenInvalid() from exc
    if not isinstance(data, dict) or not {"u", "old", "new"} <= data.keys():
        raise EmailTokenInvalid()
    return data


def email_change_request(*, user: User, new_email: str, ip: str | None) -> None:
    audit_log(action="accounts.email_change_requested", actor=user, target=user, ip=ip)
    email_confirmation_send(user=user, new_email=new_email)


def email_change_confirm(*, token: str, ip: str | None, actor=None) -> User:
    """Apply the address the link confirms. Raises EmailTokenInvalid."""
    data = email_token_read(token)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data["u"], is_active=True).first()
        if user is None or user.email != data["old"]:
            raise EmailTokenInvalid()
        if actor is not None and getattr(actor, "pk", None) not in (None, user.pk):
            raise EmailTokenInvalid()
        old_email = user.email
        if old_email == data["new"] and user.email_confirmed_at is not None:
            return user  # the same link opened twice
        user.email = data["new"]
        user.email_confirmed_at = clock.now()
        user.save(update_fields=["email", "email_confirmed_at"])
        audit_log(
            action="accounts.email_changed"
            if old_email != user.email
            else "accounts.email_confirmed",
            actor=user,
            target=user,
            ip=ip,
            old=old_email,
            new=user.email,
        )
    if old_email != user.email:
        notify(
            event="accounts_email_changed",
            context={"new_email": user.email},
            phone=str(user.phone),
            email=old_email or None,
            user_id=user.pk,
        )
    return user
