import pytest

from monitoring.models import TaskOutcome
from monitoring.services import task_outcome_count
from monitoring.signals import _count

pytestmark = pytest.mark.django_db


def test_task_outcomes_add_up_in_one_row_per_task_and_outcome():
    for _ in range(3):
        task_outcome_count(task="debts.tasks.apply_overdue", outcome="succeeded")
    task_outcome_count(task="debts.tasks.apply_overdue", outcome="failed")
    counts = dict(
        TaskOutcome.objects.values_list("outcome", "count").filter(task="debts.tasks.apply_overdue")
    )
    assert counts == {"succeeded": 3, "failed": 1}


class _Request:
    is_eager = False


class _WorkerTask:
    """What a signal receives on a worker: the task, its request not eager."""

    name = "notifications.tasks.deliver_message"
    request = _Request()


def test_a_task_retried_on_a_worker_is_counted_in_the_database():
    _count(_WorkerTask(), "retried", _Request())
    assert TaskOutcome.objects.get().count == 1


def test_a_failed_inline_task_is_counted_in_the_process_only():
    """(With task_eager_propagates on, as in development, Celery sends no failure signal: the
    exception goes to the caller, and the request is counted as a 500 instead.)"""
    from celery import shared_task

    @shared_task(name="tests.monitoring.broken")
    def broken():
        raise RuntimeError("broken on purpose")

    from monitoring.metrics import INLINE_TASKS

    child = INLINE_TASKS.labels("tests.monitoring.broken", "failed")
    before = child._value.get()
    result = broken.apply(throw=False)
    assert isinstance(result.result, RuntimeError)
    assert child._value.get() == before + 1
    assert not TaskOutcome.objects.exists()
