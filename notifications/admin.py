from django.contrib import admin, messages

from dms_portal.russian import count_noun

from .models import Message
from .services import message_requeue


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The delivery log: every message with its state; operators may resend failed ones."""

    list_display = (
        "created_at",
        "event",
        "channel",
        "recipient",
        "status",
        "attempts",
        "scheduled_for",
        "sent_at",
    )
    list_filter = ("channel", "status", "event")
    search_fields = ("recipient", "event", "dedupe_key")
    date_hierarchy = "created_at"
    # The sealed text of a code is never shown, not even encrypted.
    readonly_fields = [f.name for f in Message._meta.fields if f.name != "sealed_body"]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The action below needs change permission on the changelist; the form stays read-only.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        # A one-time code is never shown, even to staff.
        if obj is not None and obj.sensitive and "body" in fields:
            fields.remove("body")
        return fields

    @admin.action(description="Отправить повторно (ошибка / исход неизвестен)")
    def resend(self, request, queryset):
        done = sum(1 for message in queryset if message_requeue(message=message))
        skipped = queryset.count() - done
        self.message_user(
            request, f"Поставлено в очередь: {count_noun(done, 'сообщение')}.", messages.SUCCESS
        )
        if skipped:
            self.message_user(
                request,
                f"Пропущено: {count_noun(skipped, 'сообщение')} (не в статусе «Ошибка» / «Исход неизвестен» "
                "или текст кода не сохранён).",
                messages.WARNING,
            )
