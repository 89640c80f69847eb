"""«Запустить выставление счетов» in admin: a period form that queues the run, and the run's
page that refreshes while it is queued or running (as registry imports do)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from dms_portal.russian import count_noun, period_name

from ..models import InvoiceRun
from ..services.runs import InvoiceRunBusy, invoice_run_periods, invoice_run_start


class InvoiceRunForm(forms.Form):
    period = forms.ChoiceField(label="Период")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        periods = invoice_run_periods()
        self.fields["period"].choices = [(f"{y}-{m:02d}", period_name(y, m)) for y, m in periods]
        # The last closed month is the usual run; the current one is offered for a rerun.
        self.fields["period"].initial = f"{periods[1][0]}-{periods[1][1]:02d}"
        self.fields["period"].error_messages["invalid_choice"] = "Выберите период из списка"

    def clean_period(self) -> tuple[int, int]:
        year, month = self.cleaned_data["period"].split("-")
        return int(year), int(month)


@admin.register(InvoiceRun)
class InvoiceRunAdmin(admin.ModelAdmin):
    list_display = ("period_display", "status", "formed", "queued_at", "finished_at", "started_by")
    list_filter = ("status",)
    change_form_template = "admin/invoices/invoicerun/change_form.html"
    readonly_fields = (
        "period_display",
        "status",
        "formed",
        "started_by",
        "queued_at",
        "started_at",
        "finished_at",
        "error",
    )
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Период", ordering="period_year")
    def period_display(self, obj: InvoiceRun) -> str:
        return period_name(obj.period_year, obj.period_month)

    @admin.display(description="Результат")
    def formed(self, obj: InvoiceRun) -> str:
        if obj.status != InvoiceRun.Status.DONE:
            return "—"
        return f"Сформировано: {count_noun(obj.invoices_formed, 'счёт')}"

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InvoiceRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                run = invoice_run_start(period=form.cleaned_data["period"], by=request.user)
            except InvoiceRunBusy as exc:
                form.add_error("period", str(exc))
            else:
                self.log_addition(request, run, [{"added": {}}])
                messages.info(request, "Выставление счетов поставлено в очередь.")
                return redirect("admin:invoices_invoicerun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Запустить выставление счетов",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/invoices/invoicerun/start.html", context)
