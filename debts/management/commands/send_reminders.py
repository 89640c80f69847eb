import datetime as dt

from django.core.management.base import BaseCommand

from debts.services.reminders import reminders_send


class Command(BaseCommand):
    help = "Queues today's payment reminders (the same code the Celery beat runs)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, help="as of YYYY-MM-DD")

    def handle(self, *args, date=None, **options):
        counts = reminders_send(today=date)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
