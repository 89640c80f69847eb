from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinics.services import clinics_load


class Command(BaseCommand):
    help = "Loads clinics (reference data) from a CSV file: creates or updates them by code."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Файл не открывается: {exc}") from exc
        report = clinics_load(data=data)
        for error in report.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"created={report.created} updated={report.updated} errors={len(report.errors)}"
        )
