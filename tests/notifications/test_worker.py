"""Delivery through a real Celery worker on Redis (skipped locally without PostgreSQL and
Redis, required in CI). The worker is a subprocess on the same test database."""

import datetime as dt
import time
import uuid
from decimal import Decimal

import pytest
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult

from dms_portal import clock
from dms_portal.celery import app
from notifications.models import Message
from notifications.services import notify

from .worker import Worker, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]
SPOOL_BACKEND = "tests.notifications.backends.SpoolGatewayBackend"


@pytest.fixture
def broker(redis_url, postgres, settings):
    """Publish from the test process to a queue of our own on Redis."""
    queue = f"test-notifications-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    _drop_connections()
    app.conf.update(task_always_eager=False, broker_url=redis_url, task_default_queue=queue)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.NOTIFICATIONS_QUIET_HOURS = (0, 0)  # the worker runs in real time
    yield {"url": redis_url, "queue": queue}
    app.conf.update(saved)
    _drop_connections()
    import redis

    redis.Redis.from_url(redis_url).delete(queue)


def _drop_connections():
    """Forget pooled broker connections so the next publish uses the current broker_url."""
    # Not force_close_all(): kombu keeps pools in a global registry keyed by URL and would
    # hand the closed one back to the next test.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def spool(tmp_path):
    path = tmp_path / "gateway.txt"
    path.touch()
    return path


@pytest.fixture
def start_worker(broker, postgres, tmp_path, spool):
    workers = []

    def start(**env):
        defaults = {
            "SMS_BACKEND": SPOOL_BACKEND,
            "EMAIL_CHANNEL_BACKEND": SPOOL_BACKEND,
            "NOTIFY_TEST_SPOOL": spool,
        }
        worker = Worker(
            broker_url=broker["url"],
            connection=postgres,
            queue=broker["queue"],
            log_dir=tmp_path,
            **{**defaults, **env},
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


def _lines(spool):
    return spool.read_text(encoding="utf-8").splitlines()


def _received(worker, task: str) -> int:
    return sum(1 for line in worker.output().splitlines() if task in line and "received" in line)


def _result(broker, async_result, timeout=60):
    backend = RedisBackend(app=app, url=broker["url"])
    return AsyncResult(async_result.id, backend=backend, app=app).get(timeout=timeout)


def test_reminder_task_run_twice_sends_one_sms(broker, start_worker, spool):
    from accounts.models import User
    from debts.tasks import send_reminders
    from invoices.models import Invoice
    from policies.demo import seed_policies

    roster = seed_policies()
    ivanov = roster["ivanov"]
    ivanov.user = User.objects.create_user("+79990000001", "x", email="ivanov@example.com")
    ivanov.save(update_fields=["user"])
    due = clock.moscow_today() + dt.timedelta(days=7)
    invoice = Invoice.objects.create(
        number="2026/01/1",
        period_year=2026,
        period_month=1,
        sequence=1,
        contract=ivanov.contract,
        person=ivanov,
        payer=ivanov,
        formed_at=clock.now(),
        due_date=due,
        copay_total=Decimal("80.00"),
        amount_due=Decimal("80.00"),
    )
    start_worker(TEST_CONCURRENCY=2)
    # Two runs at once (two pool processes), as when beat and an operator's command overlap.
    first = send_reminders.apply_async(queue=broker["queue"])
    second = send_reminders.apply_async(queue=broker["queue"])
    results = [_result(broker, first), _result(broker, second)]
    # Between them they created the SMS and the e-mail once (which run won which row is luck).
    assert sum(r["due_soon"] for r in results) == 2
    wait_for(
        lambda: Message.objects.filter(status=Message.Status.SENT).count() == 2,
        timeout=30,
        what="both messages sent",
    )
    third = send_reminders.apply_async(queue=broker["queue"])
    assert _result(broker, third)["due_soon"] == 0
    sms = [line for line in _lines(spool) if line.startswith("sms ")]
    assert len(sms) == 1
    assert invoice.number in sms[0] and "+79990000001" in sms[0]
    assert Message.objects.get(channel="sms").dedupe_key.startswith(f"reminder:{invoice.pk}:")


def _queue_sms(event="overdue_invoice"):
    (sms,) = notify(
        event=event,
        context={"number": "2026/01/7", "amount": Decimal("80.00"), "site_url": "http://x"},
        phone="+79990000001",
        key=f"worker-test:{uuid.uuid4().hex}",
    )
    return sms


def test_worker_killed_after_the_gateway_took_the_sms_does_not_send_it_again(
    start_worker, spool, tmp_path, settings
):
    """The crash between send and status update: the redelivered task finds the row claimed
    (SENDING) and, SMS being at-most-once, marks it UNKNOWN instead of sending a second one."""
    slow = tmp_path / "slow"
    slow.touch()
    worker = start_worker(
        NOTIFY_TEST_SLEEP=60,
        NOTIFY_TEST_SLEEP_PHASE="after",
        NOTIFY_TEST_SLOW_FLAG=slow,
        TEST_VISIBILITY_TIMEOUT=2,
        NOTIFICATIONS_STALE=1,
    )
    sms = _queue_sms()
    wait_for(lambda: len(_lines(spool)) == 1, timeout=30, what="gateway got it", worker=worker)
    assert Message.objects.get(pk=sms.pk).status == Message.Status.SENDING
    worker.kill()
    slow.unlink()
    worker = start_worker(
        TEST_VISIBILITY_TIMEOUT=2, NOTIFICATIONS_STALE=1, NOTIFY_TEST_SLOW_FLAG=slow
    )
    wait_for(
        lambda: Message.objects.get(pk=sms.pk).status == Message.Status.UNKNOWN,
        timeout=60,
        what="redelivered task to settle the row",
        worker=worker,
    )
    assert _received(worker, "deliver_message") == 1  # the killed task did come back
    assert len(_lines(spool)) == 1


def test_worker_killed_before_the_gateway_took_the_message_sends_it_once_after_restart(
    start_worker, spool, tmp_path
):
    """Killed while still connecting: nothing left the house, so the redelivered task sends it
    (e-mail is re-queued by the stale-claim rule; the same path an SMS takes when the worker
    dies before claiming it)."""
    slow = tmp_path / "slow"
    slow.touch()
    worker = start_worker(
        NOTIFY_TEST_SLEEP=60,
        NOTIFY_TEST_SLEEP_PHASE="before",
        NOTIFY_TEST_SLOW_FLAG=slow,
        TEST_VISIBILITY_TIMEOUT=2,
        NOTIFICATIONS_STALE=1,
    )
    (email,) = notify(
        event="overdue_invoice",
        context={"number": "2026/01/8", "amount": Decimal("80.00"), "site_url": "http://x"},
        email="ivanov@example.com",
        key="worker-test-email",
    )
    wait_for(
        lambda: Message.objects.get(pk=email.pk).status == Message.Status.SENDING,
        timeout=30,
        what="claim",
        worker=worker,
    )
    worker.kill()
    assert _lines(spool) == []
    slow.unlink()
    worker = start_worker(
        TEST_VISIBILITY_TIMEOUT=2, NOTIFICATIONS_STALE=1, NOTIFY_TEST_SLOW_FLAG=slow
    )
    wait_for(
        lambda: Message.objects.get(pk=email.pk).status == Message.Status.SENT,
        timeout=60,
        what="redelivered e-mail sent",
        worker=worker,
    )
    assert len(_lines(spool)) == 1


def test_gateway_timeout_is_retried_by_the_worker_with_backoff(start_worker, spool):
    from .fake_gateway import FakeGateway

    with FakeGateway() as gateway:
        gateway.answers = [("hang", 3), ("http", 503)]
        worker = start_worker(
            SMS_BACKEND="notifications.backends.HttpSmsGatewayBackend",
            SMS_GATEWAY_URL=gateway.url,
            SMS_GATEWAY_TIMEOUT=1,
            NOTIFICATIONS_RETRY_BACKOFF=1,
        )
        sms = _queue_sms()
        wait_for(
            lambda: Message.objects.get(pk=sms.pk).status == Message.Status.SENT,
            timeout=60,
            what="sent after retries",
            worker=worker,
        )
        sms.refresh_from_db()
        assert sms.attempts == 3
        assert len(gateway.requests) == 3
        assert "Retry in" in worker.output()


def test_killed_pool_child_task_is_rejected_back_to_the_queue_and_not_sent_twice(
    broker, start_worker, spool, tmp_path
):
    """task_reject_on_worker_lost: the main process requeues the lost task at once (no
    visibility timeout wait); the copy finds the row claimed and leaves it; the sweep then
    settles the dead claim as UNKNOWN. The gateway got the SMS exactly once."""
    from notifications.tasks import enqueue_due_messages

    slow = tmp_path / "slow"
    slow.touch()
    worker = start_worker(
        NOTIFY_TEST_SLEEP=60,
        NOTIFY_TEST_SLEEP_PHASE="after",
        NOTIFY_TEST_SLOW_FLAG=slow,
        NOTIFICATIONS_STALE=2,
    )
    sms = _queue_sms()
    wait_for(lambda: len(_lines(spool)) == 1, timeout=30, what="gateway got it", worker=worker)
    slow.unlink()
    worker.kill_pool_child()
    wait_for(
        lambda: _received(worker, "deliver_message") >= 2,
        timeout=30,
        what="the lost task back from the queue",
        worker=worker,
    )
    assert "WorkerLostError" in worker.output()
    time.sleep(2.5)  # let the claim go stale
    assert _result(broker, enqueue_due_messages.apply_async(queue=broker["queue"])) == 0
    assert Message.objects.get(pk=sms.pk).status == Message.Status.UNKNOWN
    assert len(_lines(spool)) == 1
