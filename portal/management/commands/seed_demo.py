"""Idempotent demo data of SPEC §4, made through the same services as real data."""

import importlib.util

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from care import demo as care_demo
from invoices.demo import PAID_REFERENCE, paid_demo_invoice
from payments.services.bank import bank_transfer_record

# Each app seeds its own part, in the order data flows; later issues append steps here.
STEPS = [
    "policies.demo.seed_policies",
    "accounts.demo.seed_accounts",
    "franchise.demo.seed_activations",
    "invoices.demo.seed_invoices",
    "portal.management.commands.seed_demo.seed_payments",
    "clinics.demo.seed_clinics",
    "care.demo.seed_medical_desk",
]


def seed_payments() -> None:
    """The demo's paid invoice is paid by a bank transfer entered as an operator would
    (payments.services.bank): the payment shows in «История платежей». Idempotent."""
    found = paid_demo_invoice()
    if found is None:
        return
    invoice, received = found
    bank_transfer_record(
        amount=invoice.payable_amount(),
        received_on=received,
        reference=PAID_REFERENCE,
        invoice_ids=[invoice.pk],
        actor=None,
    )


class Command(BaseCommand):
    help = "Creates the demo employer, contract, people, activations and invoices (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even when DEBUG is off (never on a real database)",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off; pass --force to insist.")
        for path in STEPS:
            module_path = path.rpartition(".")[0]
            if importlib.util.find_spec(module_path) is None:
                continue  # the app that owns this step has no demo data yet
            step = import_string(path)
            with transaction.atomic():
                step()
        self.stdout.write("Демо-данные готовы.")
        self.stdout.write("Демо-вход: телефон +79990000001, пароль Demo-2026!")
        self._care_logins()

    def _care_logins(self):
        """The medical desk's demo login (issue 17)."""
        self.stdout.write(care_demo.LOGIN_LINE)
