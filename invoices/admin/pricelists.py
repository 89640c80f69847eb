"""Clinic price lists in admin (SPEC §3.8): the upload runs the loader at once (a price list is
thousands of rows, seconds at most) and opens the list's page with its per-row report."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from clinics.models import PriceList, PriceListProblem, ServicePrice

from ..pricelist import PriceListError, pricelist_load
from .registries import ProblemInline, RegistryUploadForm


class PriceListUploadForm(RegistryUploadForm):
    """A registry's file checks (the same containers), worded for a price list."""

    file = forms.FileField(label="Файл прейскуранта (XLSX или CSV)")
    wrong_type = "Загрузите прейскурант в формате XLSX или CSV"


class PriceListProblemInline(ProblemInline):
    """The registry's problem rows, first 200 (a file broken throughout stays one page)."""

    model = PriceListProblem
    fields = ("row_number", "column", "reason")
    readonly_fields = fields
    verbose_name_plural = "Проблемы строк: не загружены (первые 200)"


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("original_name", "loaded_at", "loaded", "unchanged", "rejected", "duplicates")
    search_fields = ("original_name", "sha256")
    inlines = [PriceListProblemInline]
    readonly_fields = (
        "original_name",
        "loaded_at",
        "rows_total",
        "loaded",
        "unchanged",
        "rejected",
        "duplicates",
        "sha256",
    )
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Its prices reference it (PROTECT): a list is superseded by a newer one, not deleted.
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PriceListUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                price_list, earlier = pricelist_load(file=upload, original_name=upload.name)
            except PriceListError as exc:
                form.add_error("file", f"Файл не прочитан: {exc}")
            else:
                if earlier:
                    messages.warning(request, "Этот файл уже загружен; цены не изменились.")
                else:
                    self.log_addition(request, price_list, [{"added": {}}])
                    messages.info(
                        request,
                        f"Загружено: {price_list.loaded}, без изменений: "
                        f"{price_list.unchanged}, отклонено: {price_list.rejected}, "
                        f"дубликаты: {price_list.duplicates}.",
                    )
                return redirect("admin:clinics_pricelist_change", price_list.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Загрузка прейскуранта клиник",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/clinics/pricelist/upload.html", context)


@admin.register(ServicePrice)
class ServicePriceAdmin(admin.ModelAdmin):
    """Read-only: prices change only by loading a price list, so each has its source file."""

    list_display = ("service_name", "service_code", "clinic", "price", "valid_from", "price_list")
    list_filter = ("clinic",)
    search_fields = ("service_name", "service_code", "clinic__code", "clinic__name")
    list_select_related = ("clinic", "price_list")
    readonly_fields = (
        "clinic",
        "service_code",
        "service_name",
        "price",
        "valid_from",
        "price_list",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
