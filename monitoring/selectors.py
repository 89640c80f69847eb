"""Reads of the monitoring app."""

from .models import Heartbeat, TaskOutcome
from .services import BEAT


def heartbeat_at(name: str = BEAT):
    """When the heartbeat last beat, or None if it never has."""
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def task_outcome_counts() -> dict[tuple[str, str], int]:
    return {(t, o): n for t, o, n in TaskOutcome.objects.values_list("task", "outcome", "count")}
