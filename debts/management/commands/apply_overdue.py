import datetime as dt

from django.core.management.base import BaseCommand

from debts.services.overdue import overdue_apply


class Command(BaseCommand):
    help = (
        "Marks unpaid invoices past due as ПРОСРОЧЕН, moves their people to the emergency-only "
        "programme and restores those who paid (the same code the Celery beat runs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, help="as of YYYY-MM-DD")

    def handle(self, *args, date=None, **options):
        counts = overdue_apply(today=date)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
