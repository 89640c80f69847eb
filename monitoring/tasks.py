from celery import shared_task

from .services import heartbeat_record


@shared_task
def beat_heartbeat():
    """Scheduled every minute by beat (CELERY_BEAT_SCHEDULE, and run_scheduler under `make
    run`): its timestamp says the whole scheduled path works. /healthz and /metrics read it."""
    heartbeat_record()
