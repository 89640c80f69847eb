"""AppConfigs of Django's and third-party apps that the portal adjusts: the admin with the
two-factor site (issue #18), and axes under a Russian name (issue #13) — a subclass of an app's
own AppConfig changes only what no migration records."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the two-factor site as `admin.site`."""

    default_site = "dms_portal.admin_site.PortalAdminSite"


class AxesConfig(AxesAppConfig):
    verbose_name = "Попытки входа"

    def ready(self):
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        from dms_portal import pagecache

        # Login attempts are written at every login and shown only in the admin.
        pagecache.ignore_writes_to(
            *(model._meta.db_table for model in (AccessAttempt, AccessFailureLog, AccessLog))
        )


class TOTPConfig(TOTPAppConfig):
    verbose_name = "Второй фактор (TOTP)"
