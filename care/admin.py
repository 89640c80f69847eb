"""The medical desk's admin: the request/SOS queue and the support conversations."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from dms_portal import clock
from franchise.selectors import activation_state

from . import selectors, services, support
from .errors import CareError
from .models import Conversation, DoctorRequest

ACTIONS = {"_desk_confirm": "confirm", "_desk_propose": "propose", "_desk_cancel": "cancel"}


class DeskForm(forms.ModelForm):
    """The desk's three buttons share one form: a slot for «Подтвердить» and «Предложить
    другое время», a reason for «Отменить»."""

    desk_slot = forms.DateTimeField(
        label="Дата и время приёма",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )
    desk_reason = forms.CharField(label="Причина отмены", required=False, max_length=500)

    class Meta:
        model = DoctorRequest
        fields = []

    def clean(self):
        data = super().clean()
        action = next((a for key, a in ACTIONS.items() if key in self.data), None)
        data["desk_action"] = action
        kind_sos = self.instance.kind == DoctorRequest.Kind.SOS
        needs_slot = action == "propose" or (action == "confirm" and not kind_sos)
        slot = data.get("desk_slot")
        if needs_slot and not slot:
            self.add_error("desk_slot", "Укажите дату и время приёма")
        elif slot and action in ("confirm", "propose") and slot <= clock.now():
            self.add_error("desk_slot", "Это время уже прошло")
        if action == "cancel" and not (data.get("desk_reason") or "").strip():
            self.add_error("desk_reason", "Укажите причину отмены")
        return data


@admin.register(DoctorRequest)
class DoctorRequestAdmin(admin.ModelAdmin):
    form = DeskForm
    change_form_template = "admin/care/doctorrequest/change_form.html"
    list_display = ("number", "kind_badge", "status", "slot", "person", "clinic", "created_at")
    ordering = selectors.DESK_ORDER  # open first, SOS on top, then oldest first
    list_filter = ("status", "kind", "clinic")
    search_fields = ("person__last_name", "person__policy_number")
    list_select_related = ("person", "clinic")
    readonly_fields = (
        "kind", "status", "slot", "person_name", "policy_data", "clinic_name", "specialty", "desired_dates",
        "comment", "what_happened", "location", "callback_phone", "cancel_reason", "created_at",
        "history",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("kind", "status", "slot", "created_at")}),
        ("Застрахованный", {"fields": ("person_name", "policy_data")}),
        ("Заявка", {"fields": ("clinic_name", "specialty", "desired_dates", "comment")}),
        ("SOS", {"fields": ("what_happened", "location", "callback_phone")}),
        ("Действие медпульта", {"fields": ("desk_slot", "desk_reason", "cancel_reason")}),
        ("История", {"fields": ("history",)}),
    )

    def has_add_permission(self, request):
        return False  # requests come from the insured

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="№", ordering="id")
    def number(self, obj):
        return obj.pk

    @admin.display(description="Вид", ordering="kind")
    def kind_badge(self, obj):
        if obj.kind == DoctorRequest.Kind.SOS:
            return mark_safe('<strong class="care-sos">SOS</strong>')  # noqa: S308 - constant
        return "Запись"

    # Plain text, not links: the desk has no access to the roster's or clinics' change pages.
    @admin.display(description="Застрахованный")
    def person_name(self, obj):
        return obj.person.full_name

    @admin.display(description="Клиника")
    def clinic_name(self, obj):
        return obj.clinic.name if obj.clinic_id else "—"

    @admin.display(description="Данные полиса")
    def policy_data(self, obj):
        person, contract = obj.person, obj.person.contract
        state = activation_state(person, clock.moscow_today())
        return format_html(
            "Полис {} ({}–{}), {}<br>Дата рождения: {}<br>Программа: {}<br>Договор {}, {}"
            "<br>Франшиза: {}<br>Телефон в списке: {}",
            person.policy_number,
            f"{person.policy_start:%d.%m.%Y}",
            f"{person.policy_end:%d.%m.%Y}",
            person.get_status_display(),
            f"{person.birth_date:%d.%m.%Y}",
            person.program.name,
            contract.number,
            contract.employer.name,
            state.label,
            person.phone or "—",
        )

    @admin.display(description="История")
    def history(self, obj):
        return format_html_join(
            "",
            "<div>{} — {}: {}</div>",
            (
                (f"{localtime(e.created_at):%d.%m.%Y %H:%M}", e.get_status_display(), e.text)
                for e in obj.events.all()
            ),
        )

    def save_model(self, request, obj, form, change):
        action, data = form.cleaned_data.get("desk_action"), form.cleaned_data
        try:
            if action == "confirm":
                services.doctor_request_confirm(
                    request_id=obj.pk, by=request.user, slot=data.get("desk_slot")
                )
            elif action == "propose":
                services.doctor_request_propose(
                    request_id=obj.pk, by=request.user, slot=data.get("desk_slot")
                )
            elif action == "cancel":
                services.doctor_request_cancel(
                    request_id=obj.pk, by=request.user, reason=data["desk_reason"], by_desk=True
                )
        except CareError as exc:
            messages.error(request, str(exc))

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here


class ReplyForm(forms.ModelForm):
    reply = forms.CharField(
        label="Ответ", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    class Meta:
        model = Conversation
        fields = []


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    form = ReplyForm
    list_display = ("__str__", "user", "last_message_at", "unread")
    readonly_fields = ("user", "last_message_at", "chat")
    fields = ("user", "last_message_at", "chat", "reply")
    search_fields = ("user__phone", "user__last_name")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Непрочитанных")
    def unread(self, obj):
        count = selectors.support_unread_for_staff(obj)
        return format_html("<strong>{}</strong>", count) if count else "0"

    @admin.display(description="Переписка")
    def chat(self, obj):
        rows = (
            (
                "Поддержка" if m.from_staff else "Пользователь",
                f"{localtime(m.created_at):%d.%m.%Y %H:%M}",
                m.text,
                ", ".join(a.original_name for a in m.attachments.all()),
            )
            for m in obj.messages.prefetch_related("attachments")
        )
        return format_html_join("", "<p><strong>{}</strong>, {}: {} <em>{}</em></p>", rows)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and object_id:
            conversation = Conversation.objects.filter(pk=object_id).first()
            if conversation is not None:  # staff opened it: the user's messages are read
                support.support_mark_read(conversation=conversation, by_staff=True)
        return response

    def save_model(self, request, obj, form, change):
        text = form.cleaned_data.get("reply", "")
        if text.strip():
            support.support_reply(conversation_id=obj.pk, by=request.user, text=text)

    def save_related(self, request, form, formsets, change):
        pass  # the answer is written by support_reply; nothing related is edited here
