"""Back office for staff: users, consents (read-only trail), codes (hashes never shown)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from .models import (
    CodeSend,
    ConsentDocument,
    ConsentRecord,
    OneTimeCode,
    PendingRegistration,
    RegistrationAttempt,
    User,
)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
