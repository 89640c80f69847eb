import datetime as dt

from django.core.management.base import BaseCommand

from debts.services.reports import employer_reports_run


class Command(BaseCommand):
    help = (
        "Builds this month's XLSX of debts older than 2 months for every employer and e-mails "
        "it to the contracts' report address (the same code the Celery beat runs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, help="as of YYYY-MM-DD")

    def handle(self, *args, date=None, **options):
        counts = employer_reports_run(today=date)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
