"""Every periodic job, in one place (times are Moscow, CELERY_TIMEZONE). Each job is also a
management command running the same code. Read by base settings as CELERY_BEAT_SCHEDULE."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Proof of life of beat → broker → worker → database, read by /healthz and /metrics.
    "monitoring-beat-heartbeat": {"task": "monitoring.tasks.beat_heartbeat", "schedule": 60.0},
    "accounts-cleanup": {"task": "accounts.tasks.cleanup", "schedule": 3600.0},
    "notifications-enqueue-due": {
        "task": "notifications.tasks.enqueue_due_messages",
        "schedule": 300.0,
    },
    "payments-reconcile-pending": {
        "task": "payments.tasks.reconcile_pending_payments",
        "schedule": 300.0,
    },
    # The inbox of clinic registries every 5 minutes; the invoice run for the last closed
    # month on the 3rd at 03:00 (clinics' registries for a month mostly arrive by then).
    "invoices-registry-inbox": {"task": "invoices.tasks.registry_inbox_scan", "schedule": 300.0},
    "invoices-monthly-run": {
        "task": "invoices.tasks.invoice_run_task",
        "schedule": crontab(day_of_month=3, hour=3, minute=0),
    },
    # «Неустойка» (SPEC §3.8) for the Moscow day just begun, missed days caught up.
    "invoices-penalty-accrue": {
        "task": "invoices.tasks.penalty_accrue_task",
        "schedule": crontab(hour=0, minute=10),
    },
    "debts-apply-overdue": {
        "task": "debts.tasks.apply_overdue",
        "schedule": crontab(hour=0, minute=30),
    },
    "debts-restore-settled": {"task": "debts.tasks.restore_settled", "schedule": 600.0},
    "debts-send-reminders": {
        "task": "debts.tasks.send_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    # Personal data past its retention period after a withdrawn consent (privacy.retention).
    "privacy-retention": {
        "task": "privacy.tasks.retention_run",
        "schedule": crontab(hour=2, minute=15),
    },
    "debts-employer-reports": {
        "task": "debts.tasks.employer_reports",
        "schedule": crontab(day_of_month=1, hour=9, minute=0),
    },
    # «Ваш личный кабинет ДМС за <месяц>» for the month just ended (portal.digest).
    "portal-monthly-digest": {
        "task": "portal.tasks.monthly_digest",
        "schedule": crontab(day_of_month=1, hour=10, minute=0),
    },
}
