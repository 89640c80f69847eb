from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self):
        # Task outcomes are counted by signal receivers (monitoring.signals).
        from . import signals  # noqa: F401
