"""`make run`'s scheduler: the beat schedule's jobs, run by themselves beside the portal.

Production runs Celery beat and workers on Redis (SPEC §4). Under `make run` there is no Redis:
this command runs Celery beat in the foreground with tasks inline (eager), so each due job of
settings.CELERY_BEAT_SCHEDULE runs in this process, and whatever a job queues runs inline too.
Requests in the portal's own process keep running their tasks inline as before. It stops on
SIGINT/SIGTERM, which scripts/run-dev.sh sends when the portal stops.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dms_portal.celery import app


class Command(BaseCommand):
    help = "Run the beat schedule's jobs (reminders, overdue, restore, reports, registry inbox)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            action="append",
            default=[],
            metavar="JOB=SECONDS",
            help="Run one job of the schedule every SECONDS instead, to watch it work "
            "(e.g. --every debts-send-reminders=30).",
        )

    def handle(self, *args, every, **options):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError(
                "CELERY_BROKER_URL is set: run Celery beat and a worker instead (docs/production.md)"
            )
        schedule = {name: dict(entry) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
        for item in every:
            name, _, seconds = item.partition("=")
            if name not in schedule or not seconds.replace(".", "", 1).isdigit():
                raise CommandError(
                    f"--every {item}: expected JOB=SECONDS, JOB one of {sorted(schedule)}"
                )
            schedule[name]["schedule"] = float(seconds)
        app.conf.beat_schedule = schedule
        state = Path(settings.BASE_DIR) / "var" / "scheduler-state"
        state.parent.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"[scheduler] {len(schedule)} jobs: {', '.join(sorted(schedule))}")
        self.stdout.flush()
        app.Beat(
            # INFO: each job logs «Sending due task …» and «Task … succeeded», to watch them.
            loglevel="INFO",
            schedule=str(state),
            max_interval=5,
            quiet=True,
        ).run()
