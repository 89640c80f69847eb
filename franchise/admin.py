"""Operators' admin: the production calendar's overrides and the list of activations."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from dms_portal import clock

from .calendar import is_working_day
from .exports import activations_xlsx
from .models import CalendarOverride, FranchiseActivation


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """A date whose status differs from the `holidays` package; it wins at once, everywhere."""

    list_display = ("date", "is_working", "note", "calendar_says")
    list_filter = ("is_working",)
    date_hierarchy = "date"
    search_fields = ("note",)

    @admin.display(description="Календарь с учётом исключений")
    def calendar_says(self, obj: CalendarOverride) -> str:
        return "рабочий" if is_working_day(obj.date) else "выходной"


class EmployerFilter(admin.SimpleListFilter):
    title = "страхователь"
    parameter_name = "employer"

    def lookups(self, request, model_admin):
        from policies.models import Employer

        return [(e.pk, e.name) for e in Employer.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(person__contract__employer_id=self.value())
        return queryset


@admin.register(FranchiseActivation)
class FranchiseActivationAdmin(admin.ModelAdmin):
    """Activations are records of consent: read-only here, exported to XLSX for employers."""

    list_display = (
        "person",
        "employer",
        "effective_date",
        "requested_at",
        "requested_by",
        "consent_version",
        "ip",
    )
    list_filter = (EmployerFilter, "effective_date", "consent_version")
    date_hierarchy = "effective_date"
    search_fields = (
        "person__last_name",
        "person__first_name",
        "person__policy_number",
        "requested_by__phone",
    )
    list_select_related = ("person__contract__employer", "requested_by")
    actions = ["export_xlsx"]
    change_list_template = "admin/franchise/franchiseactivation/change_list.html"

    def has_add_permission(self, request):
        return False  # only the insured activates, through «Мои полисы»

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # evidence of consent: nobody deletes it, superusers included

    @admin.display(description="Страхователь", ordering="person__contract__employer__name")
    def employer(self, obj: FranchiseActivation) -> str:
        return obj.person.contract.employer.name

    def get_urls(self):
        return [
            path(
                "export.xlsx",
                self.admin_site.admin_view(self.export_filtered_view),
                name="franchise_franchiseactivation_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        url = reverse("admin:franchise_franchiseactivation_export")
        extra_context = {
            **(extra_context or {}),
            "export_link": format_html(
                '<a class="historylink" href="{}">Выгрузить в XLSX (по фильтру)</a>',
                f"{url}?{query}" if query else url,
            ),
        }
        return super().changelist_view(request, extra_context)

    def export_filtered_view(self, request):
        """Everything the changelist shows with the same filters and search, as XLSX."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self._xlsx_response(changelist.get_queryset(request))

    @admin.action(description="Выгрузить выбранные в XLSX")
    def export_xlsx(self, request, queryset):
        return self._xlsx_response(queryset)

    def _xlsx_response(self, queryset) -> HttpResponse:
        response = HttpResponse(
            activations_xlsx(queryset),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        stamp = clock.moscow_now().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="activations-{stamp}.xlsx"'
        return response
