"""The import's lease: who imports a registry now, and when an import counts as interrupted.

The importing process stamps `heartbeat_at` when it claims the registry and refreshes it as it
goes (with each checked chunk on PostgreSQL, with each progress figure on the row-by-row path).
A registry «Загружается» whose heartbeat is older than REGISTRY_IMPORT_STALE_SECONDS, or has
none (an import that raised releases it), was interrupted: a killed worker never finishes it.
Such a registry may be claimed again — by the admin's «Повторить загрузку» or by the inbox
scan — and imported from the start; the import's all-or-nothing load and duplicate rules make
the second run give the same lines as one uninterrupted run.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

from dms_portal import clock

from ..models import ServiceRegistry

R = ServiceRegistry.Status


def stale_before() -> dt.datetime:
    return clock.now() - dt.timedelta(seconds=settings.REGISTRY_IMPORT_STALE_SECONDS)


def stale_q() -> Q:
    """Registries whose import was interrupted."""
    return Q(status=R.RUNNING) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale_before()))


def registry_is_stale(registry: ServiceRegistry) -> bool:
    if registry.status != R.RUNNING:
        return False
    return registry.heartbeat_at is None or registry.heartbeat_at < stale_before()


def registry_claim(*, registry_id: int) -> bool:
    """Take the lease of a waiting or interrupted registry; False when it is finished or
    another process holds a live lease."""
    return bool(
        ServiceRegistry.objects.filter(Q(status=R.PENDING) | stale_q(), pk=registry_id).update(
            status=R.RUNNING, error="", heartbeat_at=clock.now()
        )
    )


def registry_beat(*, registry_id: int, rows_done: int | None = None) -> None:
    """Refresh the lease (and the progress figure). Call it outside the import's transaction:
    inside it, nobody else would see the beat until the end."""
    fields: dict = {"heartbeat_at": clock.now()}
    if rows_done is not None:
        fields["rows_done"] = rows_done
    ServiceRegistry.objects.filter(pk=registry_id, status=R.RUNNING).update(**fields)


def registry_release(*, registry_id: int) -> None:
    """The import raised: give the lease up at once, so the registry shows as interrupted and
    can be retried without waiting for the heartbeat to age."""
    ServiceRegistry.objects.filter(pk=registry_id, status=R.RUNNING).update(heartbeat_at=None)
