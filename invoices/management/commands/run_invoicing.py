"""`manage.py run_invoicing [--period YYYY-MM]`: the monthly invoice run, as Celery beat runs it."""

from django.core.management.base import BaseCommand, CommandError

from invoices.services.invoicing import invoice_run, last_closed_period, parse_period


class Command(BaseCommand):
    help = "Forms the invoices of a period (default: the last closed month, Moscow time)."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="YYYY-MM")

    def handle(self, *args, period=None, **options):
        try:
            year, month = parse_period(period) if period else last_closed_period()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        invoices = invoice_run(period=(year, month))
        if invoices:
            self.stdout.write(
                f"Период {month:02d}.{year}: сформировано счетов {len(invoices)} "
                f"({invoices[0].number} … {invoices[-1].number})"
            )
        else:
            self.stdout.write(f"Период {month:02d}.{year}: нет невыставленных услуг, счетов нет")
        self.stdout.write(f"invoices={len(invoices)}")
