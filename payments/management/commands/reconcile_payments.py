from django.core.management.base import BaseCommand

from payments.services import payments_reconcile_pending


class Command(BaseCommand):
    help = "Ask the provider about payments left pending; expire stale ones (the beat job)."

    def handle(self, *args, **options):
        result = payments_reconcile_pending()
        self.stdout.write(f"checked={result['checked']} errors={result['errors']}")
