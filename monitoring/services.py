"""Writes of the monitoring app: heartbeats and task outcome counts."""

import logging

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F

from dms_portal import clock

from .models import Heartbeat, TaskOutcome

logger = logging.getLogger(__name__)

BEAT = "beat"


def heartbeat_record(*, name: str = BEAT) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": clock.now()})


def task_outcome_count(*, task: str, outcome: str) -> None:
    """Adds one to the (task, outcome) counter: one UPDATE of one row, after the task's own
    work has finished. Never raises: counting must not turn a task's success into a failure."""
    now = clock.now()
    try:
        rows = TaskOutcome.objects.filter(task=task, outcome=outcome)
        if rows.update(count=F("count") + 1, last_at=now):
            return
        try:
            with transaction.atomic():
                TaskOutcome.objects.create(task=task, outcome=outcome, count=1, last_at=now)
        except IntegrityError:  # another worker created it first
            rows.update(count=F("count") + 1, last_at=now)
    except DatabaseError:
        logger.warning("task outcome not counted: %s %s", task, outcome, exc_info=True)
