from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Клиники"

    def ready(self):
        from .admin import clinic_admin_register  # admin modules load only once apps are ready

        clinic_admin_register()
