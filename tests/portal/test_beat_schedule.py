"""The beat schedule is one literal in settings (issue #11), and every job in it is a task
that exists."""

import re
from pathlib import Path

from django.conf import settings

from dms_portal.celery import app

ROOT = Path(__file__).resolve().parents[2]


def test_the_schedule_is_written_in_one_place():
    sources = [
        *sorted((ROOT / "dms_portal" / "settings").glob("*.py")),
        ROOT / "dms_portal/celery.py",
    ]
    writes = []
    for source in sources:
        for line in source.read_text().splitlines():
            if re.search(r"CELERY_BEAT_SCHEDULE\s*(\[|\.update|\.setdefault|=|\|=)", line):
                writes.append(f"{source.name}: {line.strip()}")
    assert writes == ["base.py: CELERY_BEAT_SCHEDULE = {"]


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert set(settings.CELERY_BEAT_SCHEDULE) == {
        "accounts-cleanup",
        "notifications-enqueue-due",
        "payments-reconcile-pending",
        "invoices-registry-inbox",
        "invoices-monthly-run",
        "debts-apply-overdue",
        "debts-restore-settled",
        "debts-send-reminders",
        "debts-employer-reports",
        "privacy-retention",
        "portal-monthly-digest",
    }
    assert names - set(app.tasks) == set()
