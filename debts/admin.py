from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from dms_portal import clock
from dms_portal.admin_site import ReadOnlyAdmin
from dms_portal.money import format_rub
from dms_portal.russian import count_noun
from policies.services.payer import contacts_of

from .errors import DebtError
from .models import CallLog, Debtor, EmployerReport, ProgrammeDowngrade
from .selectors import call_list, days_overdue
from .services.calls import call_list_xlsx, call_log
from .services.overdue import downgrade_restore

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(Debtor)
class DebtorAdmin(admin.ModelAdmin):
    """Список обзвона: payers with overdue invoices, their debt and the last contact."""

    change_list_template = "debts/admin/debtor_change_list.html"
    list_display = (
        "payer_name",
        "policy_number",
        "phone_display",
        "debt_display",
        "overdue_count_display",
        "days_overdue_display",
        "last_contact_display",
        "log_call_link",
    )
    list_display_links = None
    search_fields = ("last_name", "first_name", "policy_number", "phone", "user__phone")
    list_filter = ("contract__employer",)
    actions = ["export_selected"]
    list_per_page = 100

    def get_queryset(self, request):
        return call_list(super().get_queryset(request)).order_by("oldest_due", "pk")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Список обзвона должников", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="debts_debtor_export",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Плательщик", ordering="last_name")
    def payer_name(self, obj):
        return obj.full_name

    @admin.display(description="Телефон")
    def phone_display(self, obj):
        return contacts_of(obj).phone or "—"

    @admin.display(description="Долг", ordering="debt")
    def debt_display(self, obj):
        return format_rub(obj.debt)

    @admin.display(description="Просрочено")
    def overdue_count_display(self, obj):
        return count_noun(obj.overdue_count, "счёт")

    @admin.display(description="Дней просрочки", ordering="oldest_due")
    def days_overdue_display(self, obj):
        return days_overdue(obj.oldest_due)

    @admin.display(description="Последний контакт", ordering="last_contact")
    def last_contact_display(self, obj):
        if not obj.last_contact:
            return "—"
        return clock.to_moscow_date(obj.last_contact).strftime("%d.%m.%Y")

    @admin.display(description="Звонок")
    def log_call_link(self, obj):
        url = reverse("admin:debts_calllog_add") + f"?person={obj.pk}"
        return format_html('<a href="{}">Записать звонок</a>', url)

    def _xlsx(self, payers) -> HttpResponse:
        today = clock.moscow_today()
        response = HttpResponse(call_list_xlsx(payers=payers, today=today), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="call-list-{today:%Y-%m-%d}.xlsx"'
        return response

    @admin.action(description="Выгрузить выбранных в XLSX", permissions=["view"])
    def export_selected(self, request, queryset):
        return self._xlsx(queryset)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._xlsx(self.get_queryset(request).order_by("oldest_due", "pk"))


@admin.register(CallLog)
class CallLogAdmin(admin.ModelAdmin):
    list_display = ("at", "person", "outcome", "promised_date", "operator")
    list_filter = ("outcome",)
    search_fields = ("person__last_name", "person__policy_number", "note")
    raw_id_fields = ("person",)
    fields = ("person", "outcome", "promised_date", "note")
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):
        # A call log is a record of what happened: written once, not edited.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        entry = call_log(
            person=obj.person,
            outcome=obj.outcome,
            operator=request.user,
            note=obj.note,
            promised_date=obj.promised_date,
        )
        obj.pk = entry.pk
        obj.at = entry.at
        obj.operator = entry.operator

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, f"Звонок записан: {obj.person}.", messages.SUCCESS)
        return redirect("admin:debts_debtor_changelist")


@admin.register(ProgrammeDowngrade)
class ProgrammeDowngradeAdmin(admin.ModelAdmin):
    list_display = (
        "person",
        "status",
        "from_program",
        "at",
        "invoice_numbers",
        "settled_at",
        "restored_at",
        "restore_mode",
        "restored_by",
    )
    list_filter = ("status", "restore_mode", "person__contract__employer")
    search_fields = ("person__last_name", "person__policy_number", "invoice_numbers")
    readonly_fields = [f.name for f in ProgrammeDowngrade._meta.fields]
    actions = ["restore"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Восстановить", permissions=["change"])
    def restore(self, request, queryset):
        done = 0
        for downgrade in queryset:
            try:
                downgrade_restore(downgrade_id=downgrade.pk, by=request.user)
            except DebtError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request, f"Восстановлено: {count_noun(done, 'программа')}.", messages.SUCCESS
            )


@admin.register(EmployerReport)
class EmployerReportAdmin(ReadOnlyAdmin):
    list_display = (
        "employer",
        "period_display",
        "people",
        "rows",
        "total_display",
        "emailed_to",
        "emailed_at",
        "download_link",
    )
    list_filter = ("employer",)
    readonly_fields = [f.name for f in EmployerReport._meta.fields if f.name != "file"] + [
        "download_link"
    ]
    exclude = ("file",)

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="debts_employerreport_download",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Месяц", ordering="period")
    def period_display(self, obj):
        return obj.period.strftime("%m.%Y")

    @admin.display(description="Сумма долга", ordering="total")
    def total_display(self, obj):
        return format_rub(obj.total)

    @admin.display(description="Файл")
    def download_link(self, obj):
        url = reverse("admin:debts_employerreport_download", args=[obj.pk])
        return format_html('<a href="{}">Скачать XLSX</a>', url)

    def download_view(self, request, pk):
        # Media files are not web-served: the report leaves only through this staff-only view.
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = get_object_or_404(EmployerReport.objects.select_related("employer"), pk=pk)
        return FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=report.download_name,
            content_type=XLSX_TYPE,
        )
