from django.apps import AppConfig

from dms_portal import pagecache


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self):
        # Task outcomes are counted by signal receivers (monitoring.signals).
        from . import signals  # noqa: F401
        from .models import Heartbeat, TaskOutcome

        # Written by every task and beat; no account page shows them (dms_portal/pagecache.py).
        pagecache.ignore_writes_to(Heartbeat._meta.db_table, TaskOutcome._meta.db_table)
