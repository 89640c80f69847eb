"""Deposits in admin: the ledger read-only; «Добавить» records a payment through the service
(a custom view: the form checks the input, the service writes the ledger and settles
invoices, and a refusal of the service is shown on the form)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from dms_portal.money import format_rub
from policies.models import InsuredPerson

from ..errors import InvoiceError
from ..models import MONEY, DepositEntry
from ..services.deposit import deposit_payment_record


class DepositPaymentForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Полис родственника",
        queryset=InsuredPerson.objects.filter(category=InsuredPerson.Category.RELATIVE),
    )
    amount = forms.DecimalField(label="Сумма взноса, ₽", **MONEY)
    paid_at = forms.SplitDateTimeField(
        label="Дата платежа", widget=AdminSplitDateTime, initial=timezone.now
    )
    reference = forms.CharField(
        label="Основание (номер платёжного поручения)", max_length=255, required=False
    )

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
    readonly_fields = ("person", "kind", "amount", "invoice", "created_at", "reference")
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DepositPaymentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                entry = deposit_payment_record(
                    person=data["person"],
                    amount=data["amount"],
                    paid_at=data["paid_at"],
                    reference=data["reference"],
                    actor=request.user,
                )
            except InvoiceError as exc:
                form.add_error(None, str(exc))
            else:
                self.log_addition(request, entry, [{"added": {}}])
                messages.success(request, f"Взнос записан: {format_rub(entry.amount)}.")
                return redirect("admin:invoices_depositentry_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Запись гарантийного взноса",
            "form": form,
            "media": self.media + form.media,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/invoices/depositentry/add.html", context)
