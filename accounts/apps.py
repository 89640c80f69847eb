from django.apps import AppConfig

from dms_portal import pagecache


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Учётные записи и согласия"

    def ready(self):
        from django.contrib.auth import get_user_model

        # Every login stamps last_login, which no page shows: it must not make everybody's
        # kept pages render again (dms_portal/pagecache.py).
        pagecache.ignore_updates_of(get_user_model()._meta.db_table, "last_login")
