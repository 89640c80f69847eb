from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "recipient", "status", "attempts", "sent_at")
    list_filter = ("channel", "status", "event")
    search_fields = ("recipient", "event")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        # A one-time code is never shown, even to staff.
        if obj is not None and obj.sensitive and "body" in fields:
            fields.remove("body")
        return fields
