"""The information /healthz adds beside the database and the broker: media storage and beat.
Information only: the answer stays 200 while the database answers (SPEC §4)."""

import os

from django.conf import settings

from dms_portal import clock

from .selectors import heartbeat_at


def storage_state() -> str:
    """MEDIA_ROOT (registries, PDFs, attachments; shared by web and workers) must be a folder
    this process can write to. A check of metadata only: no file is written per probe."""
    root = settings.MEDIA_ROOT
    if not os.path.isdir(root):
        return "error: missing"
    if not os.access(root, os.W_OK | os.X_OK):
        return "error: read-only"
    return "ok"


def beat_state() -> dict:
    """When beat's heartbeat task last ran and how long ago; "late" past
    BEAT_HEARTBEAT_LATE_SECONDS, "never" before the first run."""
    at = heartbeat_at()
    if at is None:
        return {"state": "never", "last_run": None, "age_seconds": None}
    age = max(0, int((clock.now() - at).total_seconds()))
    late = age > settings.BEAT_HEARTBEAT_LATE_SECONDS
    return {"state": "late" if late else "ok", "last_run": at.isoformat(), "age_seconds": age}
