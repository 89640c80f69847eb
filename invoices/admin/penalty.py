"""«Неустойка» in admin: the ledger (read-only) and «Списать неустойку…», a form asking the
reason (required) for the chosen invoices; each waiver is a ledger row and an audit entry
(invoices.services.penalty.penalty_waive)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from dms_portal.admin_site import ReadOnlyAdmin
from dms_portal.russian import count_noun

from ..errors import InvoiceError
from ..models import Invoice, PenaltyEntry
from ..services.penalty import penalty_waive

WAIVE_PERMISSION = "invoices.add_penaltyentry"


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label="Причина списания",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Обязательно: попадёт в журнал неустойки и в журнал действий.",
    )
    amount = forms.DecimalField(
        label="Сумма, ₽",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text="Пусто — вся неустойка, которая числится по каждому выбранному счёту.",
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Укажите причину списания неустойки")
        return reason


class PenaltyEntryInline(admin.TabularInline):
    model = PenaltyEntry
    fields = ("date", "kind", "base", "rate_percent", "amount", "reason", "created_by")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(PenaltyEntry)
class PenaltyEntryAdmin(ReadOnlyAdmin):
    """The ledger is written by the daily job and by the waiver form only."""

    list_display = ("invoice", "date", "kind", "base", "rate_percent", "amount", "reason")
    list_filter = ("kind", "date")
    search_fields = ("invoice__number", "reason")
    list_select_related = ("invoice",)
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in PenaltyEntry._meta.fields]

    def get_urls(self):
        return [
            path(
                "waive/",
                self.admin_site.admin_view(self.waive_view),
                name="invoices_penaltyentry_waive",
            ),
            *super().get_urls(),
        ]

    def waive_view(self, request):
        if not request.user.has_perm(WAIVE_PERMISSION):
            return HttpResponse(status=403)
        raw_ids = request.GET.get("ids", "")
        ids = [int(x) for x in raw_ids.split(",") if x.isdigit()][:500]
        invoices = list(
            Invoice.objects.filter(pk__in=ids).with_money().select_related("person").order_by("pk")
        )
        form = WaiveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = 0
            for invoice in invoices:
                try:
                    penalty_waive(
                        invoice_id=invoice.pk,
                        reason=form.cleaned_data["reason"],
                        amount=form.cleaned_data["amount"],
                        actor=request.user,
                    )
                    done += 1
                except InvoiceError as exc:
                    self.message_user(request, str(exc), level=messages.ERROR)
            if done:
                self.message_user(request, f"Неустойка списана: {count_noun(done, 'счёт')}.")
            return redirect("admin:invoices_invoice_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Списание неустойки",
            "invoices": invoices,
            "form": form,
            "opts": Invoice._meta,
        }
        return TemplateResponse(request, "admin/invoices/invoice/waive_penalty.html", context)
