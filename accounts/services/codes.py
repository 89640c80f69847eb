"""One-time SMS codes (SPEC §3.1; OWASP ASVS V6.5, NIST 800-63B).

Six digits from `secrets`, stored only as a keyed hash, bound to phone + purpose + the browser
session that asked, valid 10 minutes, usable once, burned by 5 wrong tries. Sends are limited
per phone (1 a minute, 5 in 10 minutes) and per IP; a resend replaces the code but never the
count of wrong tries.
"""

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from dms_portal import clock
from notifications.services import notify

from ..models import CodeSend, OneTimeCode

log = logging.getLogger(__name__)

CODE_TTL = dt.timedelta(minutes=10)
MAX_FAILED_ATTEMPTS = 5
RESEND_INTERVAL = dt.timedelta(minutes=1)
SEND_WINDOW = dt.timedelta(minutes=10)
MAX_SENDS_PER_PHONE = 5
SESSION_BINDING_KEY = "accounts_otp_binding"


def _max_sends_per_ip() -> int:
    return int(getattr(settings, "OTP_MAX_SENDS_PER_IP", 20))


class CodeError(Exception):
    """A code step refused; `message` is what the person reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CodeRateLimited(CodeError):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class CodeWrong(CodeError):
    def __init__(self, remaining: int):
        super().__init__(f"Неверный код. Осталось попыток: {remaining}.")
        self.remaining = remaining


class CodeExpired(CodeError):
    def __init__(self):
        super().__init__("Срок действия кода истёк. Нажмите «Отправить код повторно».")


class CodeBurned(CodeError):
    def __init__(self):
        super().__init__(
            "Код больше не действует: введено 5 неверных кодов. Начните заново, "
            "чтобы получить новый код."
        )


class CodeNotFound(CodeError):
    def __init__(self):
        super().__init__("Код не запрошен или уже использован. Начните заново.")


def session_binding(session) -> str:
    """A random token kept in the browser's session: codes work only in the session that
    asked for them (a leaked code is useless in another browser)."""
    token = session.get(SESSION_BINDING_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_BINDING_KEY] = token
    return token


def _hash_binding(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()


def _hash_code(code: str, salt: str) -> str:
    # Keyed with SECRET_KEY: six digits are a million guesses away from a plain hash,
    # so a copy of the table alone must not give the codes away.
    return salted_hmac("accounts.otp", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _new_code() -> tuple[str, str]:
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    return code, f"{salt}${_hash_code(code, salt)}"


def _decoy_hash() -> str:
    # No digits hash to this: a decoy challenge can never be answered.
    return "!decoy"


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} мин."


def code_rate_check(*, phone: str, ip: str | None) -> None:
    """Raises CodeRateLimited when a new SMS to this phone (or from this IP) is too soon."""
    now = clock.now()
    window_start = now - SEND_WINDOW
    recent = list(
        CodeSend.objects.filter(phone=phone, at__gte=window_start)
        .order_by("at")
        .values_list("at", flat=True)
    )
    if recent and now - recent[-1] < RESEND_INTERVAL:
        wait = int((recent[-1] + RESEND_INTERVAL - now).total_seconds()) + 1
        raise CodeRateLimited(
            f"Код уже отправлен. Повторно отправить можно через {wait} с.", retry_after=wait
        )
    if len(recent) >= MAX_SENDS_PER_PHONE:
        wait = int((recent[0] + SEND_WINDOW - now).total_seconds()) + 1
        raise CodeRateLimited(
            f"Слишком много запросов кода на этот номер. Повторите через {_minutes(wait)}",
            retry_after=wait,
        )
    if ip:
        from_ip = list(
            CodeSend.objects.filter(ip=ip, at__gte=window_start)
            .order_by("at")
            .values_list("at", flat=True)
        )
        if len(from_ip) >= _max_sends_per_ip():
            wait = int((from_ip[0] + SEND_WINDOW - now).total_seconds()) + 1
            raise CodeRateLimited(
                f"Слишком много запросов кода. Повторите через {_minutes(wait)}",
                retry_after=wait,
            )


def _send(*, challenge: OneTimeCode, code: str | None, event: str) -> None:
    CodeSend.objects.create(phone=challenge.phone, ip=challenge.ip, at=challenge.sent_at)
    if code is None:
        return  # a decoy: the rate limits count it, but nothing leaves
    # Queued, not sent in the request: a request that waits for the SMS gateway would tell a
    # registered phone (a real send) from an unknown one (a decoy) by its timing (ASVS V6.3.8).
    # The worker retries a gateway hiccup; «Отправить код повторно» asks for a fresh code anyway.
    notify(
        event=event,
        context={"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)},
        phone=challenge.phone,
        sensitive=True,
        user_id=challenge.user_id,
    )


def code_issue(
    *,
    phone: str,
    purpose: str,
    binding: str,
    ip: str | None,
    event: str,
    user=None,
    decoy: bool = False,
) -> OneTimeCode:
    """Create a challenge and send its code by SMS (a decoy sends nothing)."""
    code_rate_check(phone=phone, ip=ip)
    now = clock.now()
    code, code_hash = (None, _decoy_hash()) if decoy else _new_code()
    challenge = OneTimeCode.objects.create(
        phone=phone,
        purpose=purpose,
        binding_hash=_hash_binding(binding),
        code_hash=code_hash,
        is_decoy=decoy,
        user=user,
        created_at=now,
        sent_at=now,
        expires_at=now + CODE_TTL,
        ip=ip,
    )
    _send(challenge=challenge, code=code, event=event)
    return challenge


def code_challenge_get(*, challenge_id, purpose: str, binding: str) -> OneTimeCode:
    """The session's own challenge; anything else (another session's id) is not found."""
    challenge = OneTimeCode.objects.filter(
        pk=challenge_id, purpose=purpose, binding_hash=_hash_binding(binding)
    ).first()
    if challenge is None:
        raise CodeNotFound()
    return challenge


def code_resend(
    *, challenge_id, purpose: str, binding: str, ip: str | None, event: str
) -> OneTimeCode:
    """A new code for the same challenge: new expiry, same count of wrong tries."""
    with transaction.atomic():
        challenge = (
            OneTimeCode.objects.select_for_update()
            .filter(pk=challenge_id, purpose=purpose, binding_hash=_hash_binding(binding))
            .first()
        )
        if challenge is None or challenge.used_at is not None:
            raise CodeNotFound()
        if challenge.failed_attempts >= MAX_FAILED_ATTEMPTS:
            raise CodeBurned()
        code_rate_check(phone=challenge.phone, ip=ip)
        now = clock.now()
        if challenge.is_decoy:
            code = None
        else:
            code, challenge.code_hash = _new_code()
        challenge.sent_at = now
        challenge.expires_at = now + CODE_TTL
        challenge.send_count += 1
        challenge.ip = ip
        challenge.save(update_fields=["code_hash", "sent_at", "expires_at", "send_count", "ip"])
    _send(challenge=challenge, code=code, event=event)
    return challenge


def code_verify(*, challenge_id, purpose: str, binding: str, code: str) -> OneTimeCode:
    """Use the code once. A wrong code counts (and is committed) even though this raises."""
    error: CodeError | None = None
    with transaction.atomic():
        challenge = (
            OneTimeCode.objects.select_for_update()
            .filter(pk=challenge_id, purpose=purpose, binding_hash=_hash_binding(binding))
            .first()
        )
        if challenge is None or challenge.used_at is not None:
            raise CodeNotFound()
        if challenge.failed_attempts >= MAX_FAILED_ATTEMPTS:
            raise CodeBurned()
        now = clock.now()
        if now >= challenge.expires_at:
            raise CodeExpired()
        if _matches(challenge.code_hash, code):
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            return challenge
        challenge.failed_attempts += 1
        challenge.save(update_fields=["failed_attempts"])
        remaining = MAX_FAILED_ATTEMPTS - challenge.failed_attempts
        error = CodeWrong(remaining) if remaining > 0 else CodeBurned()
    # Raised outside the block so the counted failure is kept.
    raise error


def _matches(stored: str, code: str) -> bool:
    salt, sep, digest = stored.partition("$")
    if not sep:
        _hash_code(code, "decoy")  # same work as a real check
        return False
    return constant_time_compare(digest, _hash_code(code, salt))
