from django.apps import AppConfig

from dms_portal import pagecache


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Журнал аудита"

    def ready(self):
        # The read log gains a row whenever an invoice is opened; no page shows it to the insured.
        from .models import ReadAccess

        pagecache.ignore_writes_to(ReadAccess._meta.db_table)
