"""Operators' admin for the roster: employers, contracts, programmes, people and roster uploads."""

import phonenumbers
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .forms import RosterUploadForm
from .models import Contract, Employer, InsuredPerson, Program, RosterImport, normalize_name
from .services.roster_import import RosterFileError, roster_import


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ("number", "starts_on", "ends_on", "franchise_percent")
    show_change_link = True


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "inn")
    search_fields = ("name", "inn")
    inlines = [ContractInline]


class ProgramInline(admin.TabularInline):
    model = Program
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "employer",
        "starts_on",
        "ends_on",
        "franchise_percent",
        "payment_term",
        "auto_restore",
        "medical_desk_phone",
    )
    list_filter = ("employer", "payment_term_kind", "auto_restore", "penalty_enabled")
    search_fields = ("number", "employer__name", "employer__inn")
    list_select_related = ("employer",)
    inlines = [ProgramInline]

    @admin.display(description="Срок оплаты")
    def payment_term(self, obj: Contract) -> str:
        return f"{obj.payment_term_days} {obj.get_payment_term_kind_display()}"


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "contract")
    list_filter = ("kind", "contract__employer")
    search_fields = ("name", "contract__number")


def _as_phone(term: str) -> str | None:
    """A search term that looks like a phone, as E.164 (how phones are stored), else None."""
    digits = "".join(ch for ch in term if ch.isdigit())
    if len(digits) < 10:
        return None
    try:
        number = phonenumbers.parse(term, "RU")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@admin.register(InsuredPerson)
class InsuredPersonAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "birth_date",
        "policy_number",
        "employee_number",
        "category",
        "sponsor",
        "program",
        "status",
        "policy_start",
        "policy_end",
        "account_phone",
    )
    list_filter = (
        "contract__employer",
        "contract",
        "category",
        "status",
        "program__kind",
        ("user", admin.EmptyFieldListFilter),
    )
    # Names are also matched through their ё/е-, case-normalised copies (see get_search_results).
    search_fields = (
        "last_name",
        "first_name",
        "patronymic",
        "policy_number",
        "employee_number",
        "phone",
        "user__phone",
        "user__email",
    )
    list_select_related = ("program", "sponsor", "user", "contract")
    raw_id_fields = ("sponsor", "user")
    readonly_fields = ("relatives_list",)
    list_per_page = 50

    @admin.display(description="Телефон учётной записи", ordering="user__phone")
    def account_phone(self, obj: InsuredPerson) -> str:
        return str(obj.user.phone) if obj.user_id else "—"

    @admin.display(description="Родственники")
    def relatives_list(self, obj: InsuredPerson) -> str:
        relatives = obj.relatives.all() if obj.pk else []
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:policies_insuredperson_change", args=[r.pk]), str(r))
                    for r in relatives
                ),
            )
            or "—"
        )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return results, may_have_duplicates
        extra = Q(last_name_norm__startswith=normalize_name(term.split()[0]))
        phone = _as_phone(term)
        if phone:
            # Operators type phones as 8 999 123-45-67 or 9991234567; both forms are stored E.164.
            extra |= Q(phone=phone) | Q(user__phone=phone)
        return results | queryset.filter(extra), True


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    """Upload a roster («Добавить» opens the upload form) and read each upload's report."""

    list_display = (
        "created_at",
        "contract",
        "file_name",
        "rows_total",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "uploaded_by",
    )
    list_filter = ("contract__employer", "contract")
    search_fields = ("file_name", "contract__number")
    list_select_related = ("contract", "uploaded_by")
    readonly_fields = (
        "contract",
        "file_name",
        "uploaded_by",
        "created_at",
        "rows_total",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "errors_table",
    )
    exclude = ("errors",)

    def has_change_permission(self, request, obj=None):
        return False  # a report is a record of what happened

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Ошибки по строкам")
    def errors_table(self, obj: RosterImport) -> str:
        if not obj.errors:
            return "Нет"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((e["row"], e["column"], e["reason"]) for e in obj.errors),
        )
        return format_html(
            "<table><thead><tr><th>Строка</th><th>Столбец</th><th>Причина</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = roster_import(
                    contract=form.cleaned_data["contract"],
                    data=upload.read(),
                    file_name=upload.name,
                    by=request.user,
                )
            except RosterFileError as exc:
                form.add_error("file", str(exc))
            else:
                level = messages.WARNING if report.rejected else messages.SUCCESS
                self.message_user(
                    request,
                    f"Список «{report.file_name}» загружен: добавлено {report.created}, "
                    f"изменено {report.updated}, без изменений {report.unchanged}, "
                    f"отклонено {report.rejected}.",
                    level,
                )
                return redirect("admin:policies_rosterimport_change", report.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Загрузка списка застрахованных",
            "form": form,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/policies/rosterimport/upload.html", context)
