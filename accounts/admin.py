"""Back office for staff: users, consents (read-only trail), codes (hashes never shown),
phone / e-mail changes waiting for an operator."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from dms_portal.admin_site import ReadOnlyAdmin
from dms_portal.russian import count_noun

from .models import (
    CodeSend,
    ConsentDocument,
    ConsentRecord,
    OneTimeCode,
    PendingRegistration,
    ProfileChange,
    RegistrationAttempt,
    User,
)
from .services.profile_change import profile_change_decide


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("phone", "email")


class AdminUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = AdminUserChangeForm
    add_form = UserCreationForm
    ordering = ("-date_joined",)
    list_display = (
        "phone",
        "last_name",
        "first_name",
        "email",
        "is_active",
        "is_staff",
        "date_joined",
    )
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("phone", "email", "last_name", "first_name")
    readonly_fields = ("date_joined", "last_login", "phone_confirmed_at", "email_confirmed_at")
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        ("Данные", {"fields": ("last_name", "first_name", "email")}),
        (
            "Подтверждения и вход",
            {"fields": ("phone_confirmed_at", "email_confirmed_at", "last_login", "date_joined")},
        ),
        (
            "Права",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("phone", "email", "password1", "password2")}),
    )


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin):
    """A new version may be added; a published one is never edited (people agreed to it)."""

    list_display = ("purpose", "version", "title", "published_at", "content_hash")
    list_filter = ("purpose",)
    readonly_fields = ("content_hash",)

    def has_change_permission(self, request, obj=None):
        # The list needs the change permission too: without it any staff member could open it.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("person", "purpose", "document", "given_at", "ip", "withdrawn_at")
    list_filter = ("purpose", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("person__last_name", "person__policy_number", "user__phone")
    list_select_related = ("person", "document")
    date_hierarchy = "given_at"


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ReadOnlyAdmin):
    # code_hash and binding_hash are excluded: even staff never see what a code could be.
    list_display = (
        "phone",
        "purpose",
        "created_at",
        "expires_at",
        "send_count",
        "failed_attempts",
        "used_at",
        "is_decoy",
        "ip",
    )
    list_filter = ("purpose", "is_decoy")
    search_fields = ("phone",)
    fields = list_display
    date_hierarchy = "created_at"


@admin.register(CodeSend)
class CodeSendAdmin(ReadOnlyAdmin):
    list_display = ("at", "phone", "ip")
    search_fields = ("phone", "ip")
    date_hierarchy = "at"


@admin.register(PendingRegistration)
class PendingRegistrationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "phone", "person", "email", "phone_taken")
    fields = ("created_at", "phone", "person", "email", "phone_taken", "consent_document")
    search_fields = ("phone", "email", "person__last_name")


@admin.register(RegistrationAttempt)
class RegistrationAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "ip", "outcome")
    list_filter = ("outcome",)
    search_fields = ("ip",)
    date_hierarchy = "at"


@admin.register(ProfileChange)
class ProfileChangeAdmin(admin.ModelAdmin):
    """«Нет доступа к старому номеру» without a confirmed e-mail ends here: the operator checks
    the person (by phone call to the insurer, documents) and approves or rejects. Rows are
    never edited by hand; the actions are the only way to change them."""

    list_display = (
        "created_at",
        "user",
        "user_name",
        "kind",
        "old_value",
        "new_value",
        "status",
        "approved_via",
        "decided_by",
    )
    list_filter = ("status", "kind", "approved_via")
    search_fields = ("user__phone", "user__last_name", "new_value", "old_value")
    list_select_related = ("user", "decided_by")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ProfileChange._meta.fields]
    actions = ["approve", "reject"]

    @admin.display(description="ФИО")
    def user_name(self, obj):
        return obj.user.get_full_name()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The actions need change permission on the changelist; a row is never edited.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, *, approve: bool):
        done = sum(
            1
            for change in queryset.select_related("user")
            if profile_change_decide(change=change, by=request.user, approve=approve)
        )
        skipped = queryset.count() - done
        self.message_user(request, f"Обработано: {count_noun(done, 'заявка')}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"Пропущено: {count_noun(skipped, 'заявка')} (не ждут подтверждения оператора).",
                messages.WARNING,
            )

    @admin.action(description="Подтвердить смену (личность проверена)", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Отклонить смену", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)
