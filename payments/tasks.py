from celery import shared_task

from . import services


@shared_task(name="payments.tasks.reconcile_pending_payments")
def reconcile_pending_payments() -> dict:
    """Beat job: no payment stays pending for ever (asks the provider, expires stale ones)."""
    return services.payments_reconcile_pending()
