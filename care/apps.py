from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "Медицинская помощь"

    def ready(self):
        from . import signals

        signals.connect()
