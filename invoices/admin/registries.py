"""Registries in admin: upload (a custom view calling the service), progress, the problems
report, and «Повторить загрузку» for imports a killed worker left behind."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from dms_portal.russian import count_noun

from ..models import Clinic, RegistryProblem, ServiceRegistry
from ..registry.actions import registry_import_retry, registry_upload
from ..registry.lease import registry_is_stale
from ..registry.report import registry_problems_xlsx

REGISTRY_SUFFIXES = (".csv", ".xlsx")
INTERRUPTED = "Прервана"


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class RegistryUploadForm(forms.Form):
    file = forms.FileField(label="Файл реестра (XLSX или CSV)")
    wrong_type = "Загрузите реестр в формате XLSX или CSV"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(REGISTRY_SUFFIXES):
            raise forms.ValidationError(self.wrong_type)
        return upload


class ProblemInline(admin.TabularInline):
    model = RegistryProblem
    fields = ("row_number", "kind", "column", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "Проблемы строк (первые 200; полный отчёт — XLSX)"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = list(queryset.order_by("row_number", "id").values_list("pk", flat=True)[:200])
        return queryset.filter(pk__in=ids)


@admin.register(ServiceRegistry)
class ServiceRegistryAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "uploaded_at",
        "state",
        "progress",
        "loaded",
        "held",
        "rejected",
        "duplicates",
    )
    list_filter = ("status",)
    search_fields = ("original_name", "sha256")
    inlines = [ProblemInline]
    actions = ["retry"]
    change_form_template = "admin/invoices/serviceregistry/change_form.html"
    readonly_fields = (
        "original_name",
        "uploaded_at",
        "state",
        "progress",
        "loaded",
        "held",
        "rejected",
        "duplicates",
        "error",
        "finished_at",
        "heartbeat_at",
        "sha256",
        "report",
    )
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        # Read-only pages: nothing on a registry is edited by hand.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="Статус", ordering="status")
    def state(self, obj: ServiceRegistry) -> str:
        return INTERRUPTED if registry_is_stale(obj) else obj.get_status_display()

    @admin.display(description="Прогресс")
    def progress(self, obj: ServiceRegistry) -> str:
        if obj.status == ServiceRegistry.Status.DONE:
            return count_noun(obj.rows_done, "строка")
        if not obj.rows_total:
            return "—"
        percent = min(100, obj.rows_done * 100 // obj.rows_total)
        done = f"{obj.rows_done:,}".replace(",", " ")
        return f"{done} {count_noun(obj.rows_total, 'из строк')} ({percent} %)"

    @admin.display(description="Отчёт об импорте")
    def report(self, obj: ServiceRegistry):
        if obj.pk is None or obj.status != ServiceRegistry.Status.DONE:
            return "—"
        url = reverse("admin:invoices_serviceregistry_problems", args=[obj.pk])
        return format_html('<a href="{}">Скачать проблемы строк (XLSX)</a>', url)

    # Retrying loads the stored file again: whoever may upload a registry («Операторы») may.
    @admin.action(description="Повторить загрузку", permissions=["add"])
    def retry(self, request, queryset):
        self._retry(request, queryset.values_list("pk", flat=True))

    def _retry(self, request, ids) -> None:
        with transaction.atomic():
            queued = registry_import_retry(registry_ids=ids)
        if queued:
            self.message_user(
                request, f"Загрузка поставлена в очередь заново: {count_noun(queued, 'реестр')}."
            )
        else:
            self.message_user(
                request,
                "Повторить можно только прерванную загрузку (статус «Прервана»).",
                level=messages.WARNING,
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/problems.xlsx",
                self.admin_site.admin_view(self.problems_view),
                name="invoices_serviceregistry_problems",
            ),
            path(
                "<int:pk>/retry/",
                self.admin_site.admin_view(self.retry_view),
                name="invoices_serviceregistry_retry",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """The upload: the form checks the file, the service stores it and queues the import."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RegistryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                registry = registry_upload(file=form.cleaned_data["file"])
                self.log_addition(request, registry, [{"added": {}}])
            messages.info(
                request, "Реестр поставлен в очередь на загрузку; прогресс — на его странице."
            )
            return redirect("admin:invoices_serviceregistry_change", registry.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Загрузка реестра услуг",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/invoices/serviceregistry/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        registry = self.get_object(request, object_id)
        extra = {
            "interrupted": registry is not None and registry_is_stale(registry),
            "can_retry": self.has_add_permission(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra)

    def retry_view(self, request, pk: int):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        self._retry(request, [pk])
        return redirect("admin:invoices_serviceregistry_change", pk)

    def problems_view(self, request, pk: int):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        registry = get_object_or_404(ServiceRegistry, pk=pk)
        response = HttpResponse(
            registry_problems_xlsx(registry=registry),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="registry-{pk}-problems.xlsx"'
        return response


@admin.register(RegistryProblem)
class RegistryProblemAdmin(admin.ModelAdmin):
    list_display = ("registry", "row_number", "kind", "column", "reason")
    list_filter = ("kind",)
    search_fields = ("reason", "registry__original_name")
    list_select_related = ("registry",)
    readonly_fields = ("registry", "row_number", "kind", "column", "reason", "raw")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
