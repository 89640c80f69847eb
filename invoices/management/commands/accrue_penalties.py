"""`manage.py accrue_penalties`: the daily «Неустойка» accrual, as Celery beat runs it."""

from django.core.management.base import BaseCommand

from invoices.services.penalty import penalty_accrue


class Command(BaseCommand):
    help = "Accrues the penalty (неустойка) owed up to today (Moscow), catching up missed days."

    def handle(self, *args, **options):
        result = penalty_accrue()
        self.stdout.write(
            f"Неустойка: счетов {result['invoices']}, дней {result['days']}, "
            f"сумма {result['amount']} ₽"
        )
