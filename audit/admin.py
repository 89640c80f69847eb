from django.contrib import admin

from dms_portal.admin_site import ReadOnlyAdmin

from .models import AuditEntry, ReadAccess


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "actor", "target_type", "target_id", "ip")
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_id", "actor__phone")
    date_hierarchy = "at"


@admin.register(ReadAccess)
class ReadAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "actor_is_staff", "kind", "object_type", "object_id", "ip")
    list_filter = ("kind", "actor_is_staff")
    search_fields = ("actor_label", "object_id")
    date_hierarchy = "at"
