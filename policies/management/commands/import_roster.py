"""`manage.py import_roster FILE --contract NUMBER`: the same service the admin upload uses."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.models import Contract
from policies.services.roster_import import RosterFileError, roster_import


class Command(BaseCommand):
    help = (
        "Loads an employer's roster (XLSX or CSV) into a contract. Prints each rejected row, "
        "then `created=N updated=N unchanged=N rejected=N`. Exit code 0 when the file was read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--contract", required=True, help="contract number, e.g. ДМС-2026-001")

    def handle(self, *args, file, contract, **options):
        try:
            target = Contract.objects.get(number=contract)
        except Contract.DoesNotExist:
            raise CommandError(f"Договор {contract} не найден.") from None
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Файл не читается: {exc}") from exc
        try:
            report = roster_import(contract=target, data=data, file_name=path.name)
        except RosterFileError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stdout.write(f"строка {error['row']}, «{error['column']}»: {error['reason']}")
        self.stdout.write(report.summary)
