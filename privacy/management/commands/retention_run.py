from django.core.management.base import BaseCommand

from privacy.retention import retention_run


class Command(BaseCommand):
    help = "Удаляет и обезличивает данные после отзыва согласия по истечении сроков хранения."

    def handle(self, *args, **options):
        done = retention_run()
        self.stdout.write(" ".join(f"{stage}={count}" for stage, count in done.items()))
