"""The retention log, read-only, for the «Безопасность» group (and superusers)."""

from django.contrib import admin

from dms_portal.admin_site import ReadOnlyAdmin

from .models import RetentionAction


@admin.register(RetentionAction)
class RetentionActionAdmin(ReadOnlyAdmin):
    list_display = ("at", "person_id", "stage", "withdrawn_at", "due_at", "counts")
    list_filter = ("stage",)
    search_fields = ("person_id",)
    date_hierarchy = "at"
