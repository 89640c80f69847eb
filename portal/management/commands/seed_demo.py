"""Idempotent demo data of SPEC §4, made through the same services as real data."""

import importlib.util

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from portal import demo_staff

# Each app seeds its own part, in the order data flows; later issues append steps here.
STEPS = [
    "policies.demo.seed_policies",
    "accounts.demo.seed_accounts",
    "franchise.demo.seed_activations",
    "invoices.demo.seed_invoices",
    "payments.demo.seed_payments",
    "clinics.demo.seed_clinics",
    "invoices.demo.seed_prices",
    "care.demo.seed_medical_desk",
    "portal.demo_staff.seed_staff",
]


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
        self._staff_logins()

    def _staff_logins(self):
        """Demo staff logins with their development-only TOTP secrets (issues 17, 18)."""
        self.stdout.write(
            "Сотрудники: вход в /admin/ — пароль и 6-значный код из приложения-аутентификатора "
            "(TOTP) с секретом ниже."
        )
        for line in demo_staff.login_lines():
            self.stdout.write(line)
