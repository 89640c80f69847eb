"""What an operator does with registries in admin: upload one, retry interrupted imports.
Both queue the import through invoices/queue.py once the transaction commits."""

from __future__ import annotations

from django.core.files import File

from .. import queue
from ..models import ServiceRegistry
from .importer import registry_store
from .lease import R, stale_q


def registry_upload(*, file: File) -> ServiceRegistry:
    """An operator's upload: register it (one hashing pass) and queue its import."""
    registry = registry_store(file=file, original_name=file.name)
    queue.registry_import_queue(registry_id=registry.pk)
    return registry


def registry_import_retry(*, registry_ids) -> int:
    """«Повторить загрузку»: queue interrupted imports again (status back to «Ожидает») from
    their stored files; registries not interrupted are left alone. Returns how many were
    queued. Lines the interrupted run committed cannot exist (its load is one transaction), and
    the import's duplicate rules would skip them anyway."""
    queued = 0
    for registry_id in list(registry_ids):
        # One conditional UPDATE each: a registry claimed meanwhile is not touched.
        if ServiceRegistry.objects.filter(stale_q(), pk=registry_id).update(
            status=R.PENDING, heartbeat_at=None, rows_done=0
        ):
            queue.registry_import_queue(registry_id=registry_id)
            queued += 1
    return queued
