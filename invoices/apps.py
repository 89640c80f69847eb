from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = "Реестры и счета"

    def ready(self) -> None:
        # Loading the tasks registers them with invoices.queue, which the services call; an
        # import here (not at the top) because apps.py loads before the models exist.
        from . import tasks  # noqa: F401
