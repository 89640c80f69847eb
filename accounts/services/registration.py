"""Registration (SPEC §3.1): roster match, adults only, PD consent, SMS code, then the account.

Nothing is half-written: the form's data waits in a PendingRegistration (password hashed)
and the User appears only when the code is confirmed, in one transaction with the roster link
and the consent record.
"""

import datetime as dt
from typing import NoReturn

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from audit.services import audit_log
from dms_portal import clock
from notifications.services import notify
from policies.models import InsuredPerson

from ..models import (
    ConsentDocument,
    OneTimeCode,
    PendingRegistration,
    RegistrationAttempt,
    User,
)
from ..selectors import age_on, roster_person_find
from . import codes
from .consent import consent_record_give
from .email import email_confirmation_send

ADULT_AGE = 18
PENDING_TTL = dt.timedelta(hours=1)
EVENT_CODE = "accounts_registration_code"

MSG_UNDER_18 = "Регистрация доступна только с 18 лет"
MSG_NOT_FOUND = (
    "Мы не нашли вас в списке застрахованных. Проверьте фамилию, имя, дату рождения и номер "
    "полиса или табельный номер: они должны совпадать с данными, которые передал работодатель."
)
MSG_ALREADY = (
    "Вы уже зарегистрированы в личном кабинете. Войдите по своему номеру телефона или "
    "восстановите пароль через «Забыли пароль?»."
)
MSG_TOO_MANY = "Слишком много попыток регистрации с этого адреса. Повторите через 10 минут."
# Refused forms from one IP address within ATTEMPT_WINDOW before the form stops answering.
MAX_REFUSED_PER_IP = 20
ATTEMPT_WINDOW = dt.timedelta(minutes=10)
MSG_EXPIRED = "Время на подтверждение истекло. Заполните форму регистрации заново."
MSG_PHONE_GONE = (
    "Не удалось завершить регистрацию с этим номером телефона. Заполните форму заново "
    "или обратитесь к страховщику."
)


class RegistrationRefused(Exception):
    """`code` tells the view where the message belongs ("birth_date", "already", …)."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


def _attempts_check(*, ip: str | None) -> None:
    if not ip:
        return
    since = clock.now() - ATTEMPT_WINDOW
    if RegistrationAttempt.objects.filter(ip=ip, at__gte=since).count() >= MAX_REFUSED_PER_IP:
        raise RegistrationRefused(MSG_TOO_MANY, code="throttled")


def _refuse(message: str, *, code: str, ip: str | None) -> NoReturn:
    RegistrationAttempt.objects.create(ip=ip, at=clock.now(), outcome=code)
    raise RegistrationRefused(message, code=code)


def registration_start(
    *,
    last_name: str,
    first_name: str,
    birth_date: dt.date,
    number: str,
    phone: str,
    email: str,
    password: str,
    consent_document: ConsentDocument,
    binding: str,
    ip: str | None,
    user_agent: str,
) -> PendingRegistration:
    """Check the person and send the code. Raises RegistrationRefused or codes.CodeRateLimited.

    A phone that already belongs to another account gets the same answer as a free one
    (ASVS V6.3.8): a challenge whose code is never sent, and an SMS to the phone's owner.
    """
    _attempts_check(ip=ip)
    if age_on(birth_date, clock.moscow_today()) < ADULT_AGE:
        _refuse(MSG_UNDER_18, code="birth_date", ip=ip)
    person = roster_person_find(
        last_name=last_name, first_name=first_name, birth_date=birth_date, number=number
    )
    if person is None:
        _refuse(MSG_NOT_FOUND, code="not_found", ip=ip)
    if person.user is not None and person.user.is_active:
        _refuse(MSG_ALREADY, code="already", ip=ip)
    owner = User.objects.filter(phone=phone).exclude(pk=person.user_id).first()
    challenge = codes.code_issue(
        phone=phone,
        purpose=OneTimeCode.Purpose.REGISTRATION,
        binding=binding,
        ip=ip,
        event=EVENT_CODE,
        decoy=owner is not None,
    )
    pending = PendingRegistration.objects.create(
        person=person,
        phone=phone,
        email=email,
        password_hash=make_password(password),
        phone_taken=owner is not None,
        consent_document=consent_document,
        consent_given_at=clock.now(),
        consent_ip=ip,
        consent_user_agent=user_agent[:512],
        challenge=challenge,
        created_at=clock.now(),
    )
    if owner is not None:
        notify(
            event="accounts_phone_taken",
            context={},
            phone=phone,
            key=f"accounts-phone-taken:{pending.pk}",
            user_id=owner.pk,
        )
        audit_log(action="accounts.registration_phone_taken", target=owner, ip=ip)
    return pending


def registration_pending_get(*, pending_id) -> PendingRegistration | None:
    if not pending_id:
        return None
    return (
        PendingRegistration.objects.select_related("challenge", "person", "consent_document")
        .filter(pk=pending_id)
        .first()
    )


def registration_resend(*, pending: PendingRegistration, binding: str, ip: str | None) -> None:
    if clock.now() - pending.created_at > PENDING_TTL:
        raise RegistrationRefused(MSG_EXPIRED, code="expired")
    codes.code_resend(
        challenge_id=pending.challenge_id,
        purpose=OneTimeCode.Purpose.REGISTRATION,
        binding=binding,
        ip=ip,
        event=EVENT_CODE,
    )


def registration_confirm(
    *, pending: PendingRegistration, code: str, binding: str, ip: str | None
) -> User:
    """Check the code, then create (or, after a withdrawn consent, reopen) the account.

    Raises codes.CodeError for a wrong, expired or burned code and RegistrationRefused
    when the person or the phone was taken meanwhile.
    """
    if clock.now() - pending.created_at > PENDING_TTL:
        raise RegistrationRefused(MSG_EXPIRED, code="expired")
    codes.code_verify(
        challenge_id=pending.challenge_id,
        purpose=OneTimeCode.Purpose.REGISTRATION,
        binding=binding,
        code=code,
    )
    now = clock.now()
    try:
        with transaction.atomic():
            # Lock the roster row alone and read its account afterwards: a joined row would come
            # from this statement's snapshot and miss an account committed while we waited.
            person = InsuredPerson.objects.select_for_update().get(pk=pending.person_id)
            user = User.objects.filter(pk=person.user_id).first() if person.user_id else None
            if user is not None and user.is_active:
                raise RegistrationRefused(MSG_ALREADY, code="already")
            if User.objects.filter(phone=pending.phone).exclude(pk=person.user_id).exists():
                raise RegistrationRefused(MSG_PHONE_GONE, code="phone")
            reopened = user is not None
            if user is None:
                user = User(date_joined=now)
            user.phone = pending.phone
            user.email = pending.email
            user.email_confirmed_at = None
            user.first_name = person.first_name
            user.last_name = person.last_name
            user.password = pending.password_hash
            user.phone_confirmed_at = now
            user.is_active = True
            user.save()
            if not reopened:
                person.user = user
                person.save(update_fields=["user"])
            consent_record_give(
                person=person,
                user=user,
                document=pending.consent_document,
                given_at=pending.consent_given_at,
                ip=pending.consent_ip,
                user_agent=pending.consent_user_agent,
            )
            audit_log(
                action="accounts.reopened" if reopened else "accounts.registered",
                actor=user,
                target=user,
                ip=ip,
                person=person.pk,
                policy=person.policy_number,
            )
            pending.delete()
    except IntegrityError as exc:
        # Two confirmations raced for the same person or phone; the other one won.
        raise RegistrationRefused(MSG_PHONE_GONE, code="phone") from exc
    email_confirmation_send(user=user)
    return user
