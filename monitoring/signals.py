"""Task outcomes for /metrics.

On a worker each finished task adds one to its row in TaskOutcome (shared by every worker
process and container, kept across restarts). A task run inline (eager: `make run`, tests)
runs inside the caller — often a request, maybe in its transaction — so it is counted in the
process's own Prometheus counter instead, with no database write and no row lock there.
"""

from celery.signals import task_failure, task_postrun, task_prerun, task_retry, task_success

from .metrics import INLINE_TASKS
from .models import TaskOutcome
from .services import task_outcome_count

# Ids of inline tasks now running: task_failure is sent after the task's request is popped,
# so the failure handler cannot ask the task itself whether it ran inline.
_inline: set[str] = set()


@task_prerun.connect(dispatch_uid="monitoring.task_prerun")
def _started(task_id=None, task=None, **kwargs):
    if task is not None and getattr(task.request, "is_eager", False):
        _inline.add(task_id)


@task_postrun.connect(dispatch_uid="monitoring.task_postrun")
def _finished(task_id=None, **kwargs):
    _inline.discard(task_id)


def _count(task, outcome: str, request=None, task_id=None) -> None:
    if task is None:
        return
    if task_id in _inline or getattr(request or task.request, "is_eager", False):
        INLINE_TASKS.labels(task.name, outcome).inc()
    else:
        task_outcome_count(task=task.name, outcome=outcome)


@task_success.connect(dispatch_uid="monitoring.task_success")
def _succeeded(sender=None, **kwargs):
    _count(sender, TaskOutcome.Outcome.SUCCEEDED)


@task_failure.connect(dispatch_uid="monitoring.task_failure")
def _failed(sender=None, task_id=None, **kwargs):
    _count(sender, TaskOutcome.Outcome.FAILED, task_id=task_id)


@task_retry.connect(dispatch_uid="monitoring.task_retry")
def _retried(sender=None, request=None, **kwargs):
    # The retried run's request comes with the signal: the task's own may be popped by now.
    _count(sender, TaskOutcome.Outcome.RETRIED, request)
