"""Instalment schedules in admin (SPEC §3.8): operators see them and may cancel one, with a
reason (audited by the service); nothing else is edited here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..errors import InvoiceError
from ..instalments.services import instalment_plan_cancel
from ..models import InstalmentPart, InstalmentPlan


class InstalmentPartInline(admin.TabularInline):
    model = InstalmentPart
    fields = ("number", "due_date", "amount", "status", "paid_at", "reference")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Причина отмены графика", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(InstalmentPlan)
class InstalmentPlanAdmin(admin.ModelAdmin):
    list_display = ("invoice", "parts_count", "amount", "status", "created_at", "cancelled_at")
    list_filter = ("status", "parts_count")
    search_fields = ("invoice__number", "invoice__person__last_name")
    list_select_related = ("invoice",)
    date_hierarchy = "created_at"
    inlines = [InstalmentPartInline]
    actions = ["cancel"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in InstalmentPlan._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Отменить график…", permissions=["change"])
    def cancel(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse('admin:invoices_instalmentplan_cancel')}?ids={ids}")

    def get_urls(self):
        return [
            path(
                "cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="invoices_instalmentplan_cancel",
            ),
            *super().get_urls(),
        ]

    def cancel_view(self, request):
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.isdigit()]
        plans = list(
            InstalmentPlan.objects.filter(pk__in=ids, status=InstalmentPlan.Status.ACTIVE)
            .select_related("invoice__person")
            .order_by("pk")
        )
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = 0
            for plan in plans:
                try:
                    instalment_plan_cancel(
                        plan_id=plan.pk, reason=form.cleaned_data["reason"], actor=request.user
                    )
                    done += 1
                except InvoiceError as exc:
                    self.message_user(request, str(exc), level=messages.ERROR)
            if done:
                self.message_user(request, f"Отменено графиков: {done}.")
            return redirect("admin:invoices_instalmentplan_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Отмена графиков оплаты частями",
            "plans": plans,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/invoices/instalmentplan/cancel.html", context)
