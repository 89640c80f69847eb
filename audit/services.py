"""The audit trail: one entry per action, written in the same transaction as the change; and
the read-access log: one call in each view that serves health data or an export."""

from collections.abc import Iterable

from django.db import models

from dms_portal.net import client_ip

from .models import AuditEntry, ReadAccess


def audit_entry(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    ip: str | None = None,
    **data,
) -> AuditEntry:
    """An unsaved entry: what `audit_log` writes, for `audit_entries_write` to write in bulk."""
    return AuditEntry(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip=ip,
        data={
            k: (v if isinstance(v, (int, float, bool, type(None))) else str(v))
            for k, v in data.items()
        },
    )


def audit_log(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    ip: str | None = None,
    **data,
) -> AuditEntry:
    """Record one action. Call it inside the same transaction as the change it describes."""
    entry = audit_entry(action=action, actor=actor, target=target, ip=ip, **data)
    entry.save(force_insert=True)
    return entry


def audit_entries_write(entries: Iterable[AuditEntry], *, batch_size: int = 1000) -> int:
    """Write many `audit_entry` results with one INSERT per `batch_size` (jobs that change
    thousands of rows: the overdue night, restores). Same transaction rule as `audit_log`.
    Returns how many were written."""
    written = AuditEntry.objects.bulk_create(list(entries), batch_size=batch_size)
    return len(written)


def read_access_log(*, request, kind: str, target) -> ReadAccess:
    """Record that request.user opened `target` (written before the response is sent)."""
    user = request.user
    return ReadAccess.objects.create(
        actor=user,
        actor_label=str(user.phone),
        actor_is_staff=user.is_staff,
        kind=kind,
        object_type=target._meta.label,
        object_id=str(target.pk),
        ip=client_ip(request),
    )
