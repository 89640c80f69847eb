from django.apps import AppConfig

from . import checks  # noqa: F401 - registers the deploy-time checks


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Портал"
