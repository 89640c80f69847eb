"""The experts' queue (SPEC §3.5): deadlines, overdue highlighting, and the workflow forms.

An appeal is never edited through the model form: each expert step is a small form posted to
its own admin URL that calls one service, so history, audit and notifications never get skipped.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from dms_portal import clock
from dms_portal.russian import count_noun
from invoices.services.disputes import line_corrected_total

from . import services
from .errors import FeedbackError
from .forms import AssignForm, CommentForm, DecisionForm, ExtendForm, ReplyForm
from .models import Appeal, AppealEvent, BonusTraveller, BonusTravelPolicy

ACTION_FORMS = {
    "assign": AssignForm,
    "comment": CommentForm,
    "reply": ReplyForm,
    "extend": ExtendForm,
}


class OverdueFilter(admin.SimpleListFilter):
    title = "Просрочено"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Да"), ("no", "Нет")]

    def queryset(self, request, queryset):
        overdue = Q(status__in=Appeal.OPEN_STATUSES, deadline__lt=clock.moscow_today())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class OpenFilter(admin.SimpleListFilter):
    title = "В работе"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Открытые"), ("no", "Закрытые")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=Appeal.OPEN_STATUSES)
        if self.value() == "no":
            return queryset.exclude(status__in=Appeal.OPEN_STATUSES)
        return queryset


class RefundFilter(admin.SimpleListFilter):
    """Operators' to-do list: accepted disputes whose paid co-pay is to be refunded."""

    title = "Возврат через платёжный сервис"
    parameter_name = "refund"

    def lookups(self, request, model_admin):
        return [("yes", "Нужен возврат")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                status=Appeal.Status.ACCEPTED, invoice__corrections__settlement="refund"
            ).distinct()
        return queryset


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor", "text", "internal")
    readonly_fields = fields
    verbose_name_plural = "История (внутренние комментарии видят только сотрудники)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    change_form_template = "admin/feedback/appeal/change_form.html"
    list_display = (
        "number_link",
        "created_date",
        "kind",
        "person_short",
        "invoice",
        "status",
        "deadline_cell",
        "expert",
    )
    list_display_links = None
    list_filter = (OverdueFilter, OpenFilter, "status", "kind", "assigned_to", RefundFilter)
    search_fields = ("=id", "person__last_name", "person__policy_number", "invoice__number", "text")
    list_select_related = ("person", "invoice", "assigned_to")
    ordering = ("deadline", "id")
    readonly_fields = (
        "user",
        "person",
        "kind",
        "status",
        "created_display",
        "deadline_cell",
        "assigned_to",
        "invoice",
        "dispute_reason",
        "text",
        "answer",
        "closed_display",
        "attachments_list",
    )
    fields = readonly_fields
    inlines = [AppealEventInline]
    actions = ["assign_to_me"]

    class Media:
        css = {"all": ["css/feedback.css"]}

    # --- list ------------------------------------------------------------------------------

    @admin.display(description="№", ordering="id")
    def number_link(self, obj):
        url = reverse("admin:feedback_appeal_change", args=[obj.pk])
        # «№ 12» keeps the column narrow; the link still reads «Обращение № 12» aloud.
        return format_html(
            '<a href="{}" aria-label="Обращение № {}" class="fb-number">№&nbsp;{}</a>',
            url,
            obj.pk,
            obj.pk,
        )

    @admin.display(description="Создано", ordering="created_at")
    def created_date(self, obj):
        return clock.to_moscow_date(obj.created_at).strftime("%d.%m.%Y")

    @admin.display(description="Создано")
    def created_display(self, obj):
        return obj.created_at.astimezone(clock.MOSCOW).strftime("%d.%m.%Y %H:%M")

    @admin.display(description="Закрыто")
    def closed_display(self, obj):
        return (
            obj.closed_at.astimezone(clock.MOSCOW).strftime("%d.%m.%Y %H:%M")
            if obj.closed_at
            else "—"
        )

    @admin.display(description="Застрахованный", ordering="person__last_name")
    def person_short(self, obj):
        return obj.person.short_name

    @admin.display(description="Эксперт", ordering="assigned_to")
    def expert(self, obj):
        return obj.assigned_to.get_full_name() if obj.assigned_to else "—"

    @admin.display(description="Срок ответа", ordering="deadline")
    def deadline_cell(self, obj):
        text = obj.deadline.strftime("%d.%m.%Y")
        if not obj.is_open:
            return format_html('<span class="fb-deadline fb-deadline-closed">{}</span>', text)
        days_left = (obj.deadline - clock.moscow_today()).days
        if days_left < 0:
            return format_html(
                '<span class="fb-deadline fb-deadline-overdue">{} · просрочено на {}</span>',
                text,
                count_noun(-days_left, "день"),
            )
        if days_left <= 2:
            return format_html(
                '<span class="fb-deadline fb-deadline-soon">{} · осталось {}</span>',
                text,
                count_noun(days_left, "день"),
            )
        return format_html('<span class="fb-deadline">{}</span>', text)

    @admin.display(description="Файлы")
    def attachments_list(self, obj):
        items = [
            format_html(
                '<a href="{}">{}</a>', reverse("feedback:attachment", args=[a.pk]), a.original_name
            )
            for a in obj.attachments.all()
        ]
        return format_html("<br>".join(["{}"] * len(items)), *items) if items else "—"

    @admin.action(description="Назначить выбранные обращения мне")
    def assign_to_me(self, request, queryset):
        done = 0
        for appeal in queryset.filter(status__in=Appeal.OPEN_STATUSES):
            services.appeal_assign(appeal_id=appeal.pk, expert=request.user, by=request.user)
            done += 1
        self.message_user(
            request, f"Назначено вам: {count_noun(done, 'обращение')}.", messages.SUCCESS
        )

    # --- change page -------------------------------------------------------------------------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/workflow/<str:step>/",
                self.admin_site.admin_view(self.workflow_view),
                name="feedback_appeal_workflow",
            ),
            *super().get_urls(),
        ]

    def _decision_lines(self, appeal):
        return [
            (al.invoice_line, al.invoice_line.copay - line_corrected_total(al.invoice_line))
            for al in appeal.lines.select_related("invoice_line")
        ]

    def _forms(self, appeal, bound=None):
        forms = {
            "assign": AssignForm(initial={"expert": appeal.assigned_to_id}, prefix="assign"),
            "comment": CommentForm(prefix="comment"),
            "reply": ReplyForm(prefix="reply"),
            "extend": ExtendForm(prefix="extend"),
        }
        if appeal.kind == Appeal.Kind.SERVICE_DISPUTE:
            forms["decide"] = DecisionForm(lines=self._decision_lines(appeal), prefix="decide")
        if bound:
            forms.update(bound)
        return forms

    def changelist_view(self, request, extra_context=None):
        # The queue is the experts' whole screen: without the app menu on the left it fits
        # 1280 px with long names and every column (issue #13); «Начало» is one click away.
        extra = {**(extra_context or {}), "is_nav_sidebar_enabled": False}
        return super().changelist_view(request, extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appeal = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if appeal is not None:
            extra.update(
                show_save=False,
                show_save_and_continue=False,
                show_save_and_add_another=False,
                show_delete=False,
                workflow_forms=self._forms(appeal, getattr(request, "_workflow_bound", None)),
                appeal_lines=self._decision_lines(appeal),
                today=clock.moscow_today(),
            )
        return super().change_view(request, object_id, form_url, extra)

    def workflow_view(self, request, pk: int, step: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        appeal = get_object_or_404(Appeal, pk=pk)
        if not self.has_change_permission(request, appeal):
            raise PermissionDenied
        if step == "decide":
            if appeal.kind != Appeal.Kind.SERVICE_DISPUTE:
                raise Http404
            form = DecisionForm(request.POST, lines=self._decision_lines(appeal), prefix="decide")
        elif step in ACTION_FORMS:
            form = ACTION_FORMS[step](request.POST, prefix=step)
        else:
            raise Http404
        if form.is_valid():
            try:
                note = self._run_step(request, appeal, step, form)
            except FeedbackError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, note, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:feedback_appeal_change", args=[appeal.pk])
                )
        self.message_user(request, "Проверьте поля формы ниже", messages.ERROR)
        request._workflow_bound = {step: form}
        request.method = "GET"
        return self.change_view(request, str(appeal.pk))

    def _run_step(self, request, appeal, step, form) -> str:
        data, by = form.cleaned_data, request.user
        if step == "assign":
            services.appeal_assign(appeal_id=appeal.pk, expert=data["expert"], by=by)
            return f"Эксперт назначен: {data['expert']}"
        if step == "comment":
            services.appeal_comment(appeal_id=appeal.pk, text=data["text"], by=by)
            return "Внутренний комментарий добавлен"
        if step == "reply":
            services.appeal_reply(
                appeal_id=appeal.pk, text=data["text"], by=by, close=data["close"]
            )
            return "Ответ отправлен заявителю"
        if step == "extend":
            services.appeal_extend(
                appeal_id=appeal.pk,
                new_deadline=data["new_deadline"],
                reason=data["reason"],
                by=by,
            )
            return f"Срок продлён до {data['new_deadline']:%d.%m.%Y}, заявитель уведомлён"
        if data["decision"] == "accept":
            services.appeal_accept(
                appeal_id=appeal.pk,
                answer=data["answer"],
                by=by,
                reductions=form.reductions(),
                settlement=data["settlement"] or "deposit",
            )
            if appeal.service_line_id:
                return "Обращение удовлетворено: услуга снята и не войдёт в счёт"
            return "Обращение удовлетворено: корректировка счёта создана"
        services.appeal_reject(appeal_id=appeal.pk, answer=data["answer"], by=by)
        if appeal.service_line_id:
            return "Обращение отклонено: услуга войдёт в следующий счёт"
        return "Обращение отклонено: срок оплаты счёта возобновлён"


class BonusTravellerInline(admin.TabularInline):
    model = BonusTraveller
    extra = 0
    can_delete = False
    fields = ("person", "last_name_latin", "first_name_latin", "birth_date")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BonusTravelPolicy)
class BonusTravelPolicyAdmin(admin.ModelAdmin):
    list_display = ("number", "user", "start_date", "end_date", "issued_at")
    search_fields = ("number", "travellers__last_name_latin")
    readonly_fields = (
        "number",
        "user",
        "contract",
        "countries",
        "start_date",
        "end_date",
        "issued_at",
    )
    fields = readonly_fields
    inlines = [BonusTravellerInline]

    def has_add_permission(self, request):
        return False
