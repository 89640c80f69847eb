"""The guide's small parts: its clock reaches the portal's processes, TOTP codes match
django-otp's, seed_demo's printed secrets and the outbox's codes are read right."""

import datetime as dt
import re

import pytest
from django_otp.oath import TOTP

from guide.frozen import guide_moment
from guide.server import CLOCK_START, Portal, _secrets, manage, portal_env
from guide.totp import totp_now
from portal import demo_staff


def test_totp_codes_match_django_otp_at_the_guides_moment():
    """The codes the guide types are the ones django-otp in the server accepts, computed
    from the secrets as seed_demo prints them (base32)."""
    printed = _secrets("\n".join(demo_staff.login_lines()))
    for _phone, _password, _last, _first, group, key in demo_staff.STAFF:
        for moment in (CLOCK_START.timestamp(), CLOCK_START.timestamp() + 12345.6):
            expected = TOTP(bytes.fromhex(key))
            expected.time = moment
            assert totp_now(printed[group], moment) == f"{expected.token():06d}"


def test_the_printed_staff_secrets_are_read_per_group():
    printed = "Демо-данные готовы.\n" + "\n".join(demo_staff.login_lines()) + "\n"
    secrets = _secrets(printed)
    assert set(secrets) == {"Операторы", "Эксперты", "Медпульт"}
    assert all(re.fullmatch(r"[A-Z2-7]+", value) for value in secrets.values())
    assert _secrets("Демо-данные готовы.\n") == {}


class _Outbox(Portal):
    def __init__(self, line: str):
        super().__init__(url="", env={})
        self.line = line

    def manage(self, *args):
        return self.line


def test_the_sms_code_is_the_messages_six_digits_not_the_times_microseconds():
    line = "2026-11-17T08:00:48.720390+00:00 sms +79990000003 Код 123456 для входа\n"
    assert _Outbox(line).sms_code("+79990000003") == "123456"
    with pytest.raises(RuntimeError, match="no code"):
        _Outbox(
            "2026-11-17T08:00:48.720390+00:00 sms +79990000003 Франшиза активирована\n"
        ).sms_code("+79990000003")
    with pytest.raises(RuntimeError, match="no code"):
        _Outbox("").sms_code("+79990000003")


def test_the_guide_clock_ticks_from_its_start():
    env = {"GUIDE_CLOCK_START": CLOCK_START.isoformat(), "GUIDE_CLOCK_ANCHOR": "1000.0"}
    assert guide_moment(env, real=1000.0) == CLOCK_START
    assert guide_moment(env, real=1090.5) == CLOCK_START + dt.timedelta(seconds=90.5)


def test_portal_processes_live_on_the_guides_clock_with_tasks_inline(tmp_path):
    """What the server and its inline tasks see: the project's clock seam, Django's own
    timezone.now (sessions, auto_now fields) and Celery's eager mode."""
    env = portal_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", "http://127.0.0.1:1")
    out = manage(
        env,
        "shell",
        "-c",
        "from dms_portal import clock; from django.utils import timezone; "
        "from django.conf import settings; "
        "print(clock.moscow_today(), timezone.now().astimezone(clock.MOSCOW).date(), "
        "settings.CELERY_TASK_ALWAYS_EAGER, settings.DATABASES['default']['NAME'])",
    )
    today, django_today, eager, database = out.split()[-4:]
    assert today == django_today == f"{CLOCK_START:%Y-%m-%d}"
    assert eager == "True"
    assert database == str(tmp_path / "db.sqlite3")  # never the database of `make run`
