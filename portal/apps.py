from django.apps import AppConfig

from dms_portal import pagecache

from . import checks  # noqa: F401 - registers the deploy-time checks


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Портал"

    def ready(self):
        # Every connection of every process (web, Celery, commands) tells the page cache when
        # it writes. Not the sessions' table: a session's own data is part of a page's key, and
        # its last-seen stamp changes every minute.
        from django.contrib.sessions.models import Session

        pagecache.ignore_writes_to(Session._meta.db_table)
        pagecache.watch_writes()
