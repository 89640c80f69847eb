from django.contrib import admin

from .models import Clinic


class ClinicAdmin(admin.ModelAdmin):
    """Clinic reference data; a file loads many at once (manage.py load_clinics)."""

    list_display = ("code", "name", "address", "phones")
    search_fields = ("code", "name", "address", "services")
    list_filter = ("programs__kind",)
    filter_horizontal = ("programs",)
    fields = ("code", "name", "address", "phones", "services", "latitude", "longitude", "programs")


def clinic_admin_register() -> None:
    """Register ClinicAdmin, replacing invoices' older one (called from ClinicsConfig.ready,
    which runs after admin autodiscovery; drop the replacing once invoices/admin.py no longer
    registers Clinic)."""
    if admin.site.is_registered(Clinic):
        admin.site.unregister(Clinic)
    admin.site.register(Clinic, ClinicAdmin)
