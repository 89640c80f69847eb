"""A task's log lines carry the id of the request that queued it: inline (the request's own
context), through the publish/prerun signals, and on a real worker over Redis."""

import json
import uuid

import pytest

from dms_portal.celery import app
from dms_portal.logs import request_id_var, task_var
from monitoring.models import TaskOutcome
from tests.notifications.worker import Worker, wait_for

from .probe_tasks import probe


@pytest.fixture
def in_request():
    token = request_id_var.set("req-0000-task-test")
    yield "req-0000-task-test"
    request_id_var.reset(token)


def _probe_lines(json_log):
    return [e for e in json_log.entries() if e["logger"] == "tests.monitoring.probe"]


@pytest.mark.django_db
def test_an_inline_task_logs_with_the_request_id_and_its_own_name(json_log, in_request):
    probe.delay(1)  # eager in tests: runs here, and queues its child inline too
    lines = _probe_lines(json_log)
    assert [e["message"] for e in lines] == ["probe at depth 1", "probe at depth 0"]
    assert {e["request_id"] for e in lines} == {in_request}
    assert {e["task_name"] for e in lines} == {"tests.monitoring.probe"}
    assert len({e["task_id"] for e in lines}) == 2
    # After the tasks the request's own values are back: its id, no task.
    assert request_id_var.get() == in_request
    assert task_var.get() is None


def test_publishing_puts_the_request_id_in_the_headers_and_the_run_takes_it_back(
    json_log, in_request
):
    """The signal path of a worker, without one: before_task_publish fills the headers of the
    message, task_prerun on the other side reads them (here in another context, as a worker
    has no request of its own)."""
    import contextvars

    from celery.signals import before_task_publish

    headers = {"id": "t-1", "task": probe.name}
    before_task_publish.send(sender=probe.name, body=(), headers=headers, properties={})
    assert headers["request_id"] == in_request

    def worker_side():
        assert request_id_var.get() is None
        probe.apply(args=(0,), headers=headers)
        assert request_id_var.get() is None  # reset after the run

    contextvars.Context().run(worker_side)
    assert [e["request_id"] for e in _probe_lines(json_log)] == [in_request]


def test_a_forged_request_id_header_is_not_taken(json_log):
    probe.apply(args=(0,), headers={"request_id": 'x"\n{"level": "ERROR"}'})
    assert "request_id" not in _probe_lines(json_log)[0]


def test_nothing_is_added_to_the_headers_outside_a_request():
    from celery.signals import before_task_publish

    headers = {}
    before_task_publish.send(sender=probe.name, body=(), headers=headers, properties={})
    assert headers == {}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_the_request_id_and_counts_the_outcome(
    redis_url, postgres, tmp_path, in_request
):
    queue = f"test-monitoring-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.update(task_always_eager=False, broker_url=redis_url, task_default_queue=queue)
    worker = Worker(
        broker_url=redis_url,
        connection=postgres,
        queue=queue,
        log_dir=tmp_path,
        DJANGO_SETTINGS_MODULE="tests.monitoring.worker_settings",
    )
    try:
        worker.start()
        probe.delay(1)

        def probe_lines():
            lines = []
            for line in worker.output().splitlines():
                if line.startswith("{"):
                    entry = json.loads(line)
                    if entry["logger"] == "tests.monitoring.probe":
                        lines.append(entry)
            return lines if len(lines) == 2 else None

        lines = wait_for(probe_lines, timeout=60, what="both probes logged", worker=worker)
        assert {e["request_id"] for e in lines} == {in_request}
        assert {e["task_name"] for e in lines} == {"tests.monitoring.probe"}
        wait_for(
            lambda: TaskOutcome.objects.filter(task="tests.monitoring.probe", count=2).exists(),
            timeout=30,
            what="two successes counted",
            worker=worker,
        )
        assert TaskOutcome.objects.get(task="tests.monitoring.probe").outcome == "succeeded"
    finally:
        worker.stop()
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
        import redis

        redis.Redis.from_url(redis_url).delete(queue)
