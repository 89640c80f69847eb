"""Back office of invoices: registries (upload, progress, report), the held-lines queue,
service lines, invoices (read-only, annulment), deposits (record a payment), clinics."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from policies.models import InsuredPerson

from .errors import InvoiceError
from .models import (
    Clinic,
    DepositEntry,
    HeldServiceLine,
    Invoice,
    InvoiceLine,
    RegistryProblem,
    ServiceLine,
    ServiceRegistry,
)
from .services.annul import LINES_DISMISS, LINES_RETURN, invoice_annul
from .services.deposit import deposit_payment_record
from .services.held import held_lines_dismiss, held_lines_rematch
from .services.registry_report import registry_problems_xlsx

REGISTRY_SUFFIXES = (".csv", ".xlsx")


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


# --- registries ---------------------------------------------------------------------------------


class RegistryUploadForm(forms.ModelForm):
    class Meta:
        model = ServiceRegistry
        fields = ["file"]
        labels = {"file": "Файл реестра (XLSX или CSV)"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(REGISTRY_SUFFIXES):
            raise forms.ValidationError("Загрузите реестр в формате XLSX или CSV")
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
        "status",
        "progress",
        "loaded",
        "held",
        "rejected",
        "duplicates",
    )
    list_filter = ("status",)
    search_fields = ("original_name", "sha256")
    inlines = [ProblemInline]
    change_form_template = "admin/invoices/serviceregistry/change_form.html"
    readonly_fields = (
        "original_name",
        "uploaded_at",
        "status",
        "progress",
        "loaded",
        "held",
        "rejected",
        "duplicates",
        "error",
        "finished_at",
        "sha256",
        "report",
    )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RegistryUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file"]
        return list(self.readonly_fields)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.display(description="Прогресс")
    def progress(self, obj: ServiceRegistry) -> str:
        if obj.status == ServiceRegistry.Status.DONE:
            return f"{obj.rows_done:,} строк".replace(",", " ")
        if not obj.rows_total:
            return "—"
        percent = min(100, obj.rows_done * 100 // obj.rows_total)
        return f"{obj.rows_done:,} из {obj.rows_total:,} ({percent} %)".replace(",", " ")

    @admin.display(description="Отчёт об импорте")
    def report(self, obj: ServiceRegistry):
        if obj.pk is None or obj.status != ServiceRegistry.Status.DONE:
            return "—"
        url = reverse("admin:invoices_serviceregistry_problems", args=[obj.pk])
        return format_html('<a href="{}">Скачать проблемы строк (XLSX)</a>', url)

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        obj.sha256 = digest.hexdigest()
        obj.original_name = upload.name
        super().save_model(request, obj, form, change)
        from .tasks import registry_import_task

        registry_id = obj.pk
        transaction.on_commit(lambda: registry_import_task.delay(registry_id))
        messages.info(
            request, "Реестр поставлен в очередь на загрузку; прогресс — на его странице."
        )

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("admin:invoices_serviceregistry_change", obj.pk)

    def get_urls(self):
        return [
            path(
                "<int:pk>/problems.xlsx",
                self.admin_site.admin_view(self.problems_view),
                name="invoices_serviceregistry_problems",
            ),
            *super().get_urls(),
        ]

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


# --- service lines and the held queue -----------------------------------------------------------


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
    )
    list_select_related = ("clinic",)
    search_fields = ("line_id", "policy_no", "last_name", "registry_no")
    date_hierarchy = "service_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceLine)
class ServiceLineAdmin(_LineAdminBase):
    list_filter = ("status", "clinic")


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
        self.message_user(request, f"Загружено: {loaded}; по-прежнему задержано: {held}.")

    @admin.action(description="Снять (не выставлять в счёт)")
    def dismiss(self, request, queryset):
        count = held_lines_dismiss(
            line_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        self.message_user(request, f"Снято строк: {count}.")


# --- invoices -----------------------------------------------------------------------------------


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ("service_date", "clinic_name", "service_name", "quantity", "cost", "copay")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


class DepositEntryInline(admin.TabularInline):
    model = DepositEntry
    fk_name = "invoice"
    fields = ("created_at", "kind", "amount", "reference")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


class AnnulForm(forms.Form):
    reason = forms.CharField(
        label="Причина аннулирования", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    lines_action = forms.ChoiceField(
        label="Строки счёта",
        choices=[
            (LINES_RETURN, "Вернуть в невыставленные (войдут в следующий счёт)"),
            (LINES_DISMISS, "Снять (не выставлять)"),
        ],
        widget=forms.RadioSelect,
        initial=LINES_RETURN,
    )


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "formed_at",
        "person",
        "payer",
        "copay_total",
        "deposit_applied",
        "amount_due",
        "due_date",
        "status",
    )
    list_filter = ("status", "period_year", "period_month")
    search_fields = ("number", "person__last_name", "person__policy_number")
    list_select_related = ("person", "payer")
    date_hierarchy = "formed_at"
    inlines = [InvoiceLineInline, DepositEntryInline]
    actions = ["annul"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Invoice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Аннулировать…", permissions=["change"])
    def annul(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse('admin:invoices_invoice_annul')}?ids={ids}")

    def get_urls(self):
        return [
            path(
                "annul/",
                self.admin_site.admin_view(self.annul_view),
                name="invoices_invoice_annul",
            ),
            *super().get_urls(),
        ]

    def annul_view(self, request):
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        raw_ids = request.GET.get("ids", "")
        ids = [int(x) for x in raw_ids.split(",") if x.isdigit()]
        invoices = list(Invoice.objects.filter(pk__in=ids).select_related("person"))
        form = AnnulForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = 0
            for invoice in invoices:
                try:
                    invoice_annul(
                        invoice=invoice,
                        reason=form.cleaned_data["reason"],
                        lines_action=form.cleaned_data["lines_action"],
                        actor=request.user,
                    )
                    done += 1
                except InvoiceError as exc:
                    self.message_user(request, str(exc), level=messages.ERROR)
            if done:
                self.message_user(request, f"Аннулировано счетов: {done}.")
            return redirect("admin:invoices_invoice_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Аннулирование счетов",
            "invoices": invoices,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/invoices/invoice/annul.html", context)


# --- deposits -----------------------------------------------------------------------------------


class DepositPaymentForm(forms.ModelForm):
    person = forms.ModelChoiceField(
        label="Полис родственника",
        queryset=InsuredPerson.objects.filter(category=InsuredPerson.Category.RELATIVE),
    )
    paid_at = forms.DateTimeField(label="Дата платежа", initial=timezone.now)

    class Meta:
        model = DepositEntry
        fields = ["person", "amount", "paid_at", "reference"]
        labels = {
            "amount": "Сумма взноса, ₽",
            "reference": "Основание (номер платёжного поручения)",
        }

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None or amount <= 0:
            raise forms.ValidationError("Сумма взноса должна быть больше нуля")
        return amount


@admin.register(DepositEntry)
class DepositEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "person", "kind", "amount", "invoice", "reference")
    list_filter = ("kind",)
    search_fields = ("person__last_name", "person__policy_number", "reference")
    list_select_related = ("person", "invoice")
    form = DepositPaymentForm

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["person", "kind", "amount", "invoice", "created_at", "reference"]
        return []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["person", "amount", "paid_at", "reference"]
        return ["person", "kind", "amount", "invoice", "created_at", "reference"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The ledger is written by the service (lock, entry, audit, settling invoices).
        try:
            entry = deposit_payment_record(
                person=form.cleaned_data["person"],
                amount=form.cleaned_data["amount"],
                paid_at=form.cleaned_data["paid_at"],
                reference=form.cleaned_data.get("reference", ""),
                actor=request.user,
            )
        except InvoiceError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            raise
        obj.pk = entry.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except InvoiceError:
            return redirect("admin:invoices_depositentry_add")
