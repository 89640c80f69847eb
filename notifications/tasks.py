from celery import shared_task

from .backends import TemporaryError
from .services import message_deliver


@shared_task(
    bind=True,
    autoretry_for=(TemporaryError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def deliver_message(self, message_id: int, body: str | None = None) -> None:
    message_deliver(message_id=message_id, body=body)
