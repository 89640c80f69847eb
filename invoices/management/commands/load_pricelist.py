"""`manage.py load_pricelist FILE`: the same loading the admin upload runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dms_portal import clock
from invoices.pricelist import PriceListError, pricelist_counts, pricelist_load_path

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "Loads a clinic price list (XLSX or CSV, samples/PRICELIST_FORMAT.md). The last line is "
        "'loaded=N unchanged=N rejected=N duplicates=N'; exit 0 when the file was read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the price list file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        try:
            price_list, earlier = pricelist_load_path(path=path)
        except PriceListError as exc:
            raise CommandError(f"Файл не прочитан: {exc}") from exc
        if earlier:
            loaded_at = price_list.loaded_at.astimezone(clock.MOSCOW).strftime("%d.%m.%Y %H:%M")
            self.stdout.write(f"Этот файл уже загружен {loaded_at}; цены не изменились")
        problems = price_list.problems.all()
        for problem in problems[:SHOWN_PROBLEMS]:
            column = f"{problem.column}: " if problem.column else ""
            self.stdout.write(f"строка {problem.row_number}: {column}{problem.reason}")
        if problems.count() > SHOWN_PROBLEMS:
            self.stdout.write("… все проблемы строк — в админке, на странице прейскуранта")
        self.stdout.write(pricelist_counts(price_list).line())
