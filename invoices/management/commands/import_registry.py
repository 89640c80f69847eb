"""`manage.py import_registry FILE`: the same import the admin upload and the inbox task run."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from invoices.models import ServiceRegistry
from invoices.registry.importer import registry_counts, registry_import_file


class Command(BaseCommand):
    help = (
        "Imports a clinic registry (XLSX or CSV). The last line is "
        "'loaded=N held=N rejected=N duplicates=N'; exit 0 when the file was read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the registry file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        registry = registry_import_file(path=path, original_name=path.name)
        if registry.status == ServiceRegistry.Status.FAILED:
            raise CommandError(f"Файл не прочитан: {registry.error}")
        for problem in registry.problems.all()[:50]:
            self.stdout.write(
                f"строка {problem.row_number}: {problem.get_kind_display()} — "
                f"{problem.column}: {problem.reason}"
            )
        if registry.problems.count() > 50:
            self.stdout.write("… полный отчёт — в админке, XLSX «Проблемы строк»")
        self.stdout.write(registry_counts(registry).line())
