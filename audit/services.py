from django.db import models

from .models import AuditEntry


def audit_log(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    ip: str | None = None,
    **data,
) -> AuditEntry:
    """Record one action. Call it inside the same transaction as the change it describes."""
    return AuditEntry.objects.create(
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
