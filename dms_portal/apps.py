"""Third-party apps under Russian names in admin (issue #13): a subclass of an app's own
AppConfig changes only its verbose_name, which no migration records."""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "Попытки входа"
