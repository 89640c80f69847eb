"""Invoices in admin: read-only, with annulment (a form asking the reason)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from dms_portal.russian import count_noun

from ..errors import InvoiceError
from ..models import DepositEntry, InstalmentPart, Invoice, InvoiceLine
from ..services.annul import LINES_DISMISS, LINES_RETURN, invoice_annul
from .penalty import WAIVE_PERMISSION, PenaltyEntryInline


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


class InvoicePartsInline(admin.TabularInline):
    """The invoice's instalment parts (SPEC §3.8); schedules are cancelled on their own page."""

    model = InstalmentPart
    fk_name = "invoice"
    fields = ("plan", "number", "due_date", "amount", "status", "paid_at", "reference")
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
    inlines = [InvoiceLineInline, DepositEntryInline, PenaltyEntryInline, InvoicePartsInline]
    actions = ["annul", "waive_penalty"]

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

    def has_waive_permission(self, request) -> bool:
        return request.user.has_perm(WAIVE_PERMISSION)

    @admin.action(description="Списать неустойку…", permissions=["waive"])
    def waive_penalty(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse('admin:invoices_penaltyentry_waive')}?ids={ids}")

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
                self.message_user(request, f"Аннулировано: {count_noun(done, 'счёт')}.")
            return redirect("admin:invoices_invoice_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Аннулирование счетов",
            "invoices": invoices,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/invoices/invoice/annul.html", context)
