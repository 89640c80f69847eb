"""One-time codes exactly as SPEC §3.1."""

import datetime as dt

import pytest
import time_machine

from accounts.models import CodeSend, OneTimeCode
from accounts.services import codes

from .conftest import codes_sent, last_code

PHONE = "+79991234567"
BINDING = "browser-session-token"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def issue(phone=PHONE, binding=BINDING, ip="198.51.100.1", decoy=False):
    return codes.code_issue(
        phone=phone,
        purpose=OneTimeCode.Purpose.REGISTRATION,
        binding=binding,
        ip=ip,
        event="accounts_registration_code",
        decoy=decoy,
    )


def verify(challenge, code, binding=BINDING, purpose=OneTimeCode.Purpose.REGISTRATION):
    return codes.code_verify(challenge_id=challenge.pk, purpose=purpose, binding=binding, code=code)


def resend(challenge, ip="198.51.100.1"):
    return codes.code_resend(
        challenge_id=challenge.pk,
        purpose=OneTimeCode.Purpose.REGISTRATION,
        binding=BINDING,
        ip=ip,
        event="accounts_registration_code",
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_is_six_digits_sent_by_sms_and_stored_only_as_a_keyed_hash():
    challenge = issue()
    code = last_code(PHONE)
    assert len(code) == 6 and code.isdigit()
    assert code not in challenge.code_hash
    assert challenge.expires_at - challenge.created_at == dt.timedelta(minutes=10)


def test_right_code_works_once():
    challenge = issue()
    code = last_code(PHONE)
    assert verify(challenge, code).used_at is not None
    with pytest.raises(codes.CodeNotFound):
        verify(challenge, code)


def test_code_is_bound_to_the_session_that_asked_and_to_its_purpose():
    challenge = issue()
    code = last_code(PHONE)
    with pytest.raises(codes.CodeNotFound):
        verify(challenge, code, binding="another-browser")
    with pytest.raises(codes.CodeNotFound):
        verify(challenge, code, purpose=OneTimeCode.Purpose.PASSWORD_RESET)
    assert verify(challenge, code).used_at is not None


def test_wrong_code_counts_and_says_how_many_tries_are_left():
    challenge = issue()
    with pytest.raises(codes.CodeWrong) as exc:
        verify(challenge, wrong(last_code(PHONE)))
    assert exc.value.message == "Неверный код. Осталось попыток: 4."
    challenge.refresh_from_db()
    assert challenge.failed_attempts == 1


def test_five_wrong_tries_burn_the_code_even_the_right_one_no_longer_works():
    challenge = issue()
    code = last_code(PHONE)
    for _ in range(4):
        with pytest.raises(codes.CodeWrong):
            verify(challenge, wrong(code))
    with pytest.raises(codes.CodeBurned):
        verify(challenge, wrong(code))
    with pytest.raises(codes.CodeBurned):
        verify(challenge, code)


def test_expired_code_is_refused():
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue()
        code = last_code(PHONE)
        traveller.shift(dt.timedelta(minutes=10))
        with pytest.raises(codes.CodeExpired):
            verify(challenge, code)


def test_code_is_valid_just_before_ten_minutes():
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue()
        code = last_code(PHONE)
        traveller.shift(dt.timedelta(minutes=9, seconds=59))
        assert verify(challenge, code).used_at is not None


def test_resend_waits_a_minute():
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue()
        traveller.shift(dt.timedelta(seconds=30))
        with pytest.raises(codes.CodeRateLimited) as exc:
            resend(challenge)
        assert "через 31 с" in exc.value.message
        traveller.shift(dt.timedelta(seconds=31))
        resend(challenge)
    assert codes_sent(PHONE) == 2


def test_resend_replaces_the_code_and_extends_expiry():
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue()
        first = last_code(PHONE)
        traveller.shift(dt.timedelta(minutes=9))
        resend(challenge)
        second = last_code(PHONE)
        traveller.shift(dt.timedelta(minutes=5))  # 14 min after the first, 5 after the second
        if first != second:
            with pytest.raises(codes.CodeWrong):
                verify(challenge, first)
        assert verify(challenge, second).used_at is not None


def test_at_most_five_sends_in_ten_minutes_per_phone():
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue()
        for _ in range(4):
            traveller.shift(dt.timedelta(seconds=61))
            resend(challenge)
        traveller.shift(dt.timedelta(seconds=61))
        with pytest.raises(codes.CodeRateLimited) as exc:
            resend(challenge)
        assert "Слишком много запросов кода на этот номер" in exc.value.message
        # A fresh challenge for the same phone (another session) is limited too.
        with pytest.raises(codes.CodeRateLimited):
            issue(binding="another-browser")
        traveller.shift(dt.timedelta(minutes=6))
        resend(challenge)
    assert codes_sent(PHONE) == 6


def test_resend_never_resets_the_wrong_try_count():
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue()
        for _ in range(3):
            with pytest.raises(codes.CodeWrong):
                verify(challenge, wrong(last_code(PHONE)))
        traveller.shift(dt.timedelta(minutes=2))
        resend(challenge)
        with pytest.raises(codes.CodeWrong) as exc:
            verify(challenge, wrong(last_code(PHONE)))
        assert exc.value.remaining == 1


def test_burned_code_cannot_be_resent():
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue()
        code = last_code(PHONE)
        for _ in range(5):
            with pytest.raises(codes.CodeError):
                verify(challenge, wrong(code))
        traveller.shift(dt.timedelta(minutes=2))
        with pytest.raises(codes.CodeBurned):
            resend(challenge)


def test_per_ip_limit_across_phones(settings):
    settings.OTP_MAX_SENDS_PER_IP = 3
    for n in range(3):
        issue(phone=f"+7999000000{n}", ip="203.0.113.9")
    with pytest.raises(codes.CodeRateLimited) as exc:
        issue(phone="+79990000009", ip="203.0.113.9")
    assert exc.value.message.startswith("Слишком много запросов кода.")
    issue(phone="+79990000009", ip="203.0.113.10")  # another address is not affected


def test_decoy_sends_nothing_matches_nothing_but_counts_like_a_real_one():
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue(decoy=True)
        assert codes_sent(PHONE) == 0
        assert CodeSend.objects.filter(phone=PHONE).count() == 1
        with pytest.raises(codes.CodeWrong):
            verify(challenge, "000000")
        traveller.shift(dt.timedelta(seconds=10))
        with pytest.raises(codes.CodeRateLimited):
            resend(challenge)


class FlakyGateway:
    keeps_bodies = False

    def send(self, *, channel, recipient, subject, body):
        from notifications.backends import TemporaryError

        raise TemporaryError("gateway timeout")


def test_gateway_failure_does_not_break_the_step_and_resend_tries_again(settings):
    settings.SMS_BACKEND = "tests.accounts.test_codes.FlakyGateway"
    with time_machine.travel(START, tick=False) as traveller:
        challenge = issue()
        from notifications.models import Message

        message = Message.objects.get(recipient=PHONE)
        assert message.status == Message.Status.QUEUED and message.body == ""
        settings.SMS_BACKEND = "notifications.backends.OutboxBackend"
        traveller.shift(dt.timedelta(seconds=61))
        resend(challenge)
        assert verify(challenge, last_code(PHONE)).used_at is not None


def test_cleanup_drops_day_old_challenges_sends_and_pending_rows():
    from accounts.tasks import accounts_cleanup

    with time_machine.travel(START, tick=False) as traveller:
        issue()
        traveller.shift(dt.timedelta(hours=25))
        issue(phone="+79991234568")
        assert accounts_cleanup() == {"pending": 0, "sends": 1, "codes": 1, "refused": 0}
    assert OneTimeCode.objects.get().phone == "+79991234568"
