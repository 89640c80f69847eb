"""Read-only views of the logs for the «Безопасность» group (and superusers)."""

from django.contrib import admin

from .models import ReadAccess, RetentionAction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReadAccess)
class ReadAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "actor_is_staff", "kind", "object_type", "object_id", "ip")
    list_filter = ("kind", "actor_is_staff")
    search_fields = ("actor_label", "object_id")
    date_hierarchy = "at"


@admin.register(RetentionAction)
class RetentionActionAdmin(ReadOnlyAdmin):
    list_display = ("at", "person_id", "stage", "withdrawn_at", "due_at", "counts")
    list_filter = ("stage",)
    search_fields = ("person_id",)
    date_hierarchy = "at"
