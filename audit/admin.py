from django.contrib import admin

from .models import AuditEntry, ReadAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """Trails are evidence: nobody adds, changes or deletes them in admin, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
