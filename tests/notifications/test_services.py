import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from dms_portal import pagecache
from dms_portal.clock import MOSCOW
from notifications.backends import PermanentError, TemporaryError
from notifications.models import Message
from notifications.services import (
    MAX_ATTEMPTS,
    Notice,
    message_deliver,
    message_requeue,
    messages_due,
    messages_resolve_stale,
    notify,
    notify_many,
    quiet_hours_end,
)
from notifications.tasks import deliver_message, enqueue_due_messages

pytestmark = pytest.mark.django_db
S = Message.Status


def msk(day, hour, minute=0):
    return dt.datetime(2026, 5, day, hour, minute, tzinfo=MOSCOW)


@pytest.fixture(autouse=True)
def daytime():
    """Outside quiet hours unless a test travels elsewhere itself."""
    with time_machine.travel(msk(1, 12), tick=False):
        yield


def _notify(**kwargs):
    base = {
        "event": "test_event",
        "context": {"code": "1234", "name": "Иван"},
        "phone": "+79990000001",
        "email": "ivan@example.com",
    }
    return notify(**{**base, **kwargs})


def test_notify_renders_sms_and_email_and_delivers_on_commit(
    recording, event_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = _notify(key="k1", user_id=7)
    assert [(m.channel, m.status) for m in created] == [("sms", "queued"), ("email", "queued")]
    assert {(m.channel, m.status, m.attempts) for m in Message.objects.all()} == {
        ("sms", "sent", 1),
        ("email", "sent", 1),
    }
    assert recording.sent == [
        {"channel": "sms", "recipient": "+79990000001", "subject": "", "body": "Код 1234 для Иван"},
        {
            "channel": "email",
            "recipient": "ivan@example.com",
            "subject": "Тема Иван",
            "body": "Привет, Иван!\nКод 1234",
        },
    ]


def test_same_key_creates_nothing_the_second_time(recording, event_templates):
    assert len(_notify(key="once")) == 2
    assert _notify(key="once") == []
    assert Message.objects.count() == 2
    # Another recipient with the same key is another message.
    assert len(_notify(key="once", phone="+79990000002", email=None)) == 1


def test_missing_channel_template_is_skipped(recording, event_templates):
    created = _notify(event="sms_only")
    assert [m.channel for m in created] == ["sms"]


def test_sensitive_code_body_is_not_stored_by_a_production_backend(
    recording, event_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (sms, email) = _notify(sensitive=True)
    assert Message.objects.get(pk=sms.pk).body == ""
    assert recording.sent[0]["body"] == "Код 1234 для Иван"  # delivered from memory


def test_delivery_is_claimed_once(recording, event_templates):
    (sms,) = _notify(email=None)
    assert message_deliver(message_id=sms.pk).status == S.SENT
    assert message_deliver(message_id=sms.pk).status == S.SENT
    assert len(recording.sent) == 1
    assert Message.objects.get(pk=sms.pk).attempts == 1


def test_a_row_claimed_by_another_worker_is_not_sent_again(recording, event_templates):
    (sms,) = _notify(email=None)
    Message.objects.filter(pk=sms.pk).update(status=S.SENDING, claimed_at=msk(1, 12))
    with time_machine.travel(msk(1, 12, 1), tick=False):
        assert message_deliver(message_id=sms.pk).status == S.SENDING
    assert recording.sent == []


def test_temporary_error_requeues_and_raises_for_the_retry(recording, event_templates):
    (sms,) = _notify(email=None)
    recording.fail_with = [TemporaryError("gateway busy")]
    with pytest.raises(TemporaryError):
        message_deliver(message_id=sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.error, sms.attempts) == (S.QUEUED, "gateway busy", 1)
    with time_machine.travel(sms.scheduled_for, tick=False):
        assert message_deliver(message_id=sms.pk).status == S.SENT
    assert Message.objects.get(pk=sms.pk).attempts == 2


def test_permanent_error_fails_without_retry(recording, event_templates):
    (sms,) = _notify(email=None)
    recording.fail_with = [PermanentError("bad number")]
    assert message_deliver(message_id=sms.pk).status == S.FAILED
    assert Message.objects.get(pk=sms.pk).error == "bad number"


def test_retries_back_off_and_give_up_after_max_attempts(recording, event_templates):
    (sms,) = _notify(email=None)
    recording.fail_with = [TemporaryError("down")] * MAX_ATTEMPTS
    moment = msk(1, 12)
    delays = []
    for _ in range(MAX_ATTEMPTS - 1):
        with time_machine.travel(moment, tick=False), pytest.raises(TemporaryError):
            message_deliver(message_id=sms.pk)
        sms.refresh_from_db()
        assert sms.status == S.QUEUED
        with time_machine.travel(sms.scheduled_for - dt.timedelta(seconds=1), tick=False):
            assert messages_due() == []  # still backing off
            assert message_deliver(message_id=sms.pk).status == S.QUEUED
        delays.append(int((sms.scheduled_for - moment).total_seconds()))
        moment = sms.scheduled_for
    assert delays == [30, 60, 120, 240, 480, 960, 1800, 1800]
    with time_machine.travel(moment, tick=False):
        assert messages_due() == [sms.pk]
        assert message_deliver(message_id=sms.pk).status == S.FAILED
    sms.refresh_from_db()
    assert (sms.attempts, sms.error) == (MAX_ATTEMPTS, "попытки исчерпаны: down")


def test_task_in_eager_mode_leaves_a_temporary_failure_to_the_sweep(recording, event_templates):
    (sms,) = _notify(email=None)
    recording.fail_with = [TemporaryError("down")]
    deliver_message.delay(sms.pk, None)
    sms.refresh_from_db()
    assert sms.status == S.QUEUED and sms.scheduled_for == msk(1, 12) + dt.timedelta(seconds=30)
    with time_machine.travel(sms.scheduled_for, tick=False):
        assert enqueue_due_messages() == 1
    assert Message.objects.get(pk=sms.pk).status == S.SENT


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (msk(1, 20, 59), None),
        (msk(1, 21, 0), msk(2, 9)),
        (msk(1, 23, 30), msk(2, 9)),
        (msk(2, 0, 30), msk(2, 9)),
        (msk(2, 8, 59), msk(2, 9)),
        (msk(2, 9, 0), None),
    ],
)
def test_quiet_hours_are_21_to_9_moscow_time(moment, expected):
    assert quiet_hours_end(moment=moment) == expected


def test_quiet_hours_follow_the_given_time_zone():
    # 12:00 in Moscow is 19:00 in Vladivostok (no quiet), 15:00 Moscow is 22:00 there.
    assert quiet_hours_end(moment=msk(1, 12), tz="Asia/Vladivostok") is None
    end = quiet_hours_end(moment=msk(1, 15), tz="Asia/Vladivostok")
    assert end.astimezone(MOSCOW) == msk(2, 2)  # 09:00 next day in Vladivostok


def test_sms_in_quiet_hours_waits_until_9_then_the_sweep_sends_it(
    recording, event_templates, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(msk(1, 22), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sms, email = _notify()
    sms.refresh_from_db()
    email.refresh_from_db()
    assert (sms.status, sms.scheduled_for) == (S.QUEUED, msk(2, 9))
    assert email.status == S.SENT  # e-mail has no quiet hours
    with time_machine.travel(msk(2, 8, 59), tick=False):
        assert enqueue_due_messages() == 0
        # Even a stray task cannot send it early.
        assert message_deliver(message_id=sms.pk).status == S.QUEUED
    with time_machine.travel(msk(2, 9, 1), tick=False):
        assert enqueue_due_messages() == 1
    sms.refresh_from_db()
    assert sms.status == S.SENT
    assert [m["channel"] for m in recording.sent] == ["email", "sms"]


@pytest.mark.parametrize("flags", [{"sensitive": True}, {"immediate": True}])
def test_codes_and_immediate_messages_ignore_quiet_hours(
    recording, event_templates, flags, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(msk(1, 23), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (sms,) = _notify(email=None, **flags)
    sms.refresh_from_db()
    assert sms.scheduled_for is None
    assert sms.status == S.SENT


def test_immediate_send_that_fails_temporarily_is_handed_to_the_queue(
    recording, event_templates, django_capture_on_commit_callbacks
):
    recording.fail_with = [TemporaryError("busy")]
    with django_capture_on_commit_callbacks(execute=True):
        (sms,) = _notify(email=None, immediate=True)
    sms.refresh_from_db()
    assert sms.status == S.QUEUED and sms.scheduled_for == msk(1, 12, 0) + dt.timedelta(seconds=30)
    with time_machine.travel(sms.scheduled_for, tick=False):
        enqueue_due_messages()
    sms.refresh_from_db()
    assert sms.status == S.SENT and sms.attempts == 2


def test_stale_sending_email_is_requeued_and_sms_becomes_unknown(recording, event_templates):
    sms, email = _notify()
    Message.objects.update(status=S.SENDING, claimed_at=msk(1, 12))
    with time_machine.travel(msk(1, 12, 10), tick=False):
        assert messages_resolve_stale() == 0  # a live worker may still be on it
    with time_machine.travel(msk(1, 12, 16), tick=False):
        assert messages_resolve_stale() == 2
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.status == S.UNKNOWN and "SMS могло уйти" in sms.error
    assert email.status == S.QUEUED


def test_lost_enqueue_is_picked_up_by_the_sweep_after_a_grace_period(recording, event_templates):
    with time_machine.travel(msk(1, 12), tick=False):
        sms, email = _notify()  # no on_commit run: as if the broker was down
    with time_machine.travel(msk(1, 12, 3), tick=False):
        assert messages_due() == []
    with time_machine.travel(msk(1, 12, 6), tick=False):
        assert set(messages_due()) == {sms.pk, email.pk}


def test_operator_resend_of_unknown_sms(
    recording, event_templates, django_capture_on_commit_callbacks
):
    (sms,) = _notify(email=None)
    Message.objects.filter(pk=sms.pk).update(status=S.UNKNOWN)
    with django_capture_on_commit_callbacks(execute=True):
        assert message_requeue(message=Message.objects.get(pk=sms.pk)) is True
    assert Message.objects.get(pk=sms.pk).status == S.SENT
    assert message_requeue(message=Message.objects.get(pk=sms.pk)) is False


def test_outbox_command_prints_messages_oldest_first(event_templates, settings):
    settings.SMS_BACKEND = "notifications.backends.OutboxBackend"
    with time_machine.travel(msk(1, 12), tick=False):
        _notify(email=None, sensitive=True, immediate=True)
    out = StringIO()
    call_command("outbox", "--phone", "+79990000001", stdout=out)
    assert out.getvalue() == "2026-05-01T09:00:00+00:00 sms +79990000001 Код 1234 для Иван\n"


def _notice(n: int, **kwargs) -> Notice:
    base = {
        "event": "test_event",
        "context": {"code": f"{n:04d}", "name": f"Иван {n}"},
        "phone": f"+7999000{n:04d}",
        "email": f"ivan{n}@example.com",
        "key": f"bulk:{n}",
        "user_id": n,
    }
    return Notice(**{**base, **kwargs})


def test_notify_many_stores_the_same_messages_as_notify(recording, event_templates):
    one = notify(**_notice(1).__dict__)
    (sms, email) = notify_many([_notice(2)])
    single = {m.channel: m for m in one}
    for bulk, alone in ((sms, single["sms"]), (email, single["email"])):
        bulk = Message.objects.get(pk=bulk.pk)
        assert bulk.dedupe_key == alone.dedupe_key.replace("bulk:1", "bulk:2").replace(
            "0001", "0002"
        ).replace("ivan1@", "ivan2@")
        assert (bulk.event, bulk.channel, bulk.status, bulk.user_id) == (
            "test_event",
            alone.channel,
            S.QUEUED,
            2,
        )
    assert Message.objects.get(pk=sms.pk).body == "Код 0002 для Иван 2"
    email = Message.objects.get(pk=email.pk)
    assert (email.subject, email.body) == ("Тема Иван 2", "Привет, Иван 2!\nКод 0002")


def test_notify_many_run_twice_creates_nothing_the_second_time(recording, event_templates):
    notify(**_notice(3).__dict__)  # already sent by the one-by-one path
    created = notify_many([_notice(n) for n in range(1, 8)], batch_size=3)
    assert len(created) == 12  # 7 notices × 2 channels, minus the 2 messages of notice 3
    assert all(m.pk for m in created)
    assert notify_many([_notice(n) for n in range(1, 8)], batch_size=3) == []
    assert Message.objects.count() == 14
    assert Message.objects.filter(dedupe_key__startswith="bulk:3:").count() == 2


def test_notify_many_same_key_twice_in_one_call_is_one_message(recording, event_templates):
    created = notify_many([_notice(1), _notice(1)])
    assert len(created) == 2 and Message.objects.count() == 2


def test_notify_many_key_inserted_meanwhile_by_another_run_is_not_returned(
    recording, event_templates, monkeypatch
):
    """The pre-check misses a row another run inserts just before our INSERT: ON CONFLICT
    DO NOTHING keeps the other run's row, and we neither return nor enqueue it."""
    from notifications import services

    real_insert = services._insert_ignoring_duplicates

    def racing_insert(rows):
        notify(**_notice(1).__dict__)  # the other run wins the race for notice 1
        return real_insert(rows)

    monkeypatch.setattr(services, "_insert_ignoring_duplicates", racing_insert)
    created = notify_many([_notice(1), _notice(2)])
    assert sorted(m.recipient for m in created) == ["+79990000002", "ivan2@example.com"]
    assert Message.objects.count() == 4


def test_notify_many_skips_missing_templates_and_keyless_notices_still_go(
    recording, event_templates
):
    created = notify_many([_notice(1, event="sms_only", key=None), _notice(2, key=None)])
    assert sorted((m.event, m.channel) for m in created) == [
        ("sms_only", "sms"),
        ("test_event", "email"),
        ("test_event", "sms"),
    ]
    assert {m.pk for m in created} == set(Message.objects.values_list("pk", flat=True))


def test_notify_many_delivers_on_commit_and_holds_sms_in_quiet_hours(
    recording, event_templates, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(msk(1, 22), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        created = notify_many([_notice(n) for n in range(1, 4)])
    # One callback for the whole batch, not one per message (the page cache's is its own).
    assert len([c for c in callbacks if c is not pagecache.generation_bump]) == 1
    statuses = {(m.channel, m.status, m.scheduled_for) for m in Message.objects.all()}
    assert statuses == {("sms", S.QUEUED, msk(2, 9)), ("email", S.SENT, None)}
    assert len(created) == 6 and len(recording.sent) == 3
    with time_machine.travel(msk(2, 9, 1), tick=False):
        assert enqueue_due_messages() == 3
    assert Message.objects.filter(status=S.SENT).count() == 6
