"""The read-access log: one call in each view that serves health data or an export."""

from dms_portal.net import client_ip

from .models import ReadAccess


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
