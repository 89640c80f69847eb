"""Pen-test #10 item 12: a one-time code never travels as a Celery argument (the broker, Redis,
persists its queue to disk). Tasks get the message id; the text is rebuilt from the row."""

import datetime as dt
import re

import pytest
import time_machine
from celery.app.task import Task
from django.urls import reverse

from notifications.backends import TemporaryError
from notifications.models import Message
from notifications.tasks import enqueue_due_messages
from tests.notifications.backends import RecordingBackend

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow, no quiet hours


@pytest.fixture
def gateway(settings):
    """A production-like SMS backend: it does not let the outbox keep code bodies."""
    settings.SMS_BACKEND = "tests.notifications.backends.RecordingBackend"
    RecordingBackend.sent = []
    RecordingBackend.fail_with = []
    yield RecordingBackend
    RecordingBackend.sent = []
    RecordingBackend.fail_with = []


@pytest.fixture
def task_calls(monkeypatch):
    """Every task queued, with the arguments that would go to the broker."""
    calls = []
    original = Task.apply_async

    def spy(self, args=None, kwargs=None, **options):
        calls.append((self.name, args, kwargs))
        return original(self, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", spy)
    return calls


def _code_sent(gateway) -> str:
    return re.search(r"\b(\d{6})\b", gateway.sent[-1]["body"]).group(1)


def _assert_code_not_in(calls, code):
    assert calls, "the SMS went through a task"
    for _name, args, kwargs in calls:
        assert code not in repr(args) and code not in repr(kwargs)


def test_a_code_sms_is_queued_by_message_id_only(
    client, ivanov, gateway, task_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_forgot"), {"phone": "9990000001"})
    code = _code_sent(gateway)
    _assert_code_not_in(task_calls, code)
    message = Message.objects.get(recipient="+79990000001", sensitive=True)
    assert message.status == Message.Status.SENT
    # Delivered: nothing of the code is left in the row, sealed or not.
    assert message.body == "" and message.sealed_body == ""


def test_a_retried_code_sms_is_rebuilt_from_its_sealed_row_not_from_the_queue(
    client, ivanov, gateway, task_calls, django_capture_on_commit_callbacks
):
    gateway.fail_with = [TemporaryError("gateway busy")]
    with time_machine.travel(START, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:password_forgot"), {"phone": "9990000001"})
        message = Message.objects.get(recipient="+79990000001", sensitive=True)
        assert message.status == Message.Status.QUEUED and gateway.sent == []
        # Kept sealed (encrypted with a key from SECRET_KEY), never in clear.
        assert message.body == "" and message.sealed_body
        assert not re.search(r"\d{6}", message.sealed_body)
        traveller.shift(dt.timedelta(minutes=1))
        enqueue_due_messages()
    code = _code_sent(gateway)
    _assert_code_not_in(task_calls, code)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.sealed_body == ""


def test_a_code_sms_that_could_not_leave_within_its_lifetime_is_dropped(
    client, ivanov, gateway, django_capture_on_commit_callbacks
):
    gateway.fail_with = [TemporaryError("gateway busy")]
    with time_machine.travel(START, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:password_forgot"), {"phone": "9990000001"})
        traveller.shift(dt.timedelta(minutes=11))
        enqueue_due_messages()
    message = Message.objects.get(recipient="+79990000001", sensitive=True)
    assert gateway.sent == []
    assert message.status == Message.Status.FAILED and message.sealed_body == ""
