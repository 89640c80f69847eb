"""`manage.py digest_send [--month YYYY-MM]`: the monthly digest, as the beat job sends it."""

import re

from django.core.management.base import BaseCommand, CommandError

from portal.digest import Month, digest_send


class Command(BaseCommand):
    help = "Send «Ваш личный кабинет ДМС за <месяц>» for the previous month (or --month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; by default the previous Moscow month")

    def handle(self, *args, month=None, **options):
        chosen = None
        if month:
            found = re.fullmatch(r"(\d{4})-(\d{2})", month)
            if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
                raise CommandError(f"--month {month}: expected YYYY-MM, e.g. 2026-11")
            chosen = Month(int(found[1]), int(found[2]))
        counts = digest_send(month=chosen)
        self.stdout.write(
            f"Отправлено: {counts['sent']}, нечего сообщить: {counts['nothing_to_report']}, "
            f"уже отправлено: {counts['already_sent']}"
        )
