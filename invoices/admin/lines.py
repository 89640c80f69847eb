"""Service lines and the held queue (re-match with the roster, dismiss)."""

from __future__ import annotations

from django.contrib import admin

from dms_portal.russian import count_noun

from ..models import HeldServiceLine, ServiceLine
from ..registry.linecheck import FLAG_FIELDS, flags_of
from ..services.held import held_lines_dismiss, held_lines_rematch


class _LineAdminBase(admin.ModelAdmin):
    list_display = (
        "line_id",
        "clinic",
        "service_date",
        "policy_no",
        "last_name",
        "first_name",
        "service_name",
        "quantity",
        "amount",
        "status",
        "hold_reason",
        "checks",
    )
    list_select_related = ("clinic",)
    search_fields = ("line_id", "policy_no", "last_name", "registry_no")
    date_hierarchy = "service_date"

    @admin.display(description="Проверки")
    def checks(self, obj) -> str:
        return ", ".join(flag.label for flag in flags_of(obj)) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceLine)
class ServiceLineAdmin(_LineAdminBase):
    # The line checks (SPEC §3.8) as filters, to look at flagged lines before the invoice run.
    list_filter = ("status", *FLAG_FIELDS, "dispute_open", "clinic")


@admin.register(HeldServiceLine)
class HeldServiceLineAdmin(_LineAdminBase):
    list_filter = ("hold_reason", "clinic")
    actions = ["rematch", "dismiss"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=ServiceLine.Status.HELD)

    def has_change_permission(self, request, obj=None):
        # The actions need it; the form itself shows everything read-only.
        return request.user.has_perm("invoices.change_serviceline")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ServiceLine._meta.fields]

    @admin.action(description="Сопоставить заново со списком застрахованных")
    def rematch(self, request, queryset):
        loaded, held = held_lines_rematch(
            line_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        self.message_user(
            request,
            f"Загружено: {count_noun(loaded, 'строка')}; "
            f"по-прежнему задержано: {count_noun(held, 'строка')}.",
        )

    @admin.action(description="Снять (не выставлять в счёт)")
    def dismiss(self, request, queryset):
        count = held_lines_dismiss(
            line_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        self.message_user(request, f"Снято: {count_noun(count, 'строка')}.")
