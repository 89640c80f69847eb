"""Beat entry point (settings.CELERY_BEAT_SCHEDULE); `manage.py retention_run` runs the same."""

from celery import shared_task

from .retention import retention_run as _retention_run


@shared_task(acks_late=True)
def retention_run() -> dict:
    return _retention_run()
