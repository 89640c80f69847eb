from django.urls import path

from .views import change, login, profile, recovery, registration

app_name = "accounts"
urlpatterns = [
    path("", login.login_view, name="login"),
    path("logout/", login.logout_view, name="logout"),
    path("register/", registration.register, name="register"),
    path("register/confirm/", registration.register_confirm, name="register_confirm"),
    path("register/confirm/resend/", registration.register_resend, name="register_resend"),
    path("consent/", profile.consent_text, name="consent_text"),
    path("consent/<str:version>/", profile.consent_text, name="consent_text_version"),
    path("password/forgot/", recovery.password_forgot, name="password_forgot"),
    path(
        "password/forgot/confirm/",
        recovery.password_forgot_confirm,
        name="password_forgot_confirm",
    ),
    path(
        "password/forgot/confirm/resend/",
        recovery.password_forgot_resend,
        name="password_forgot_resend",
    ),
    path("password/new/", recovery.password_reset_new, name="password_reset_new"),
    path("profile/", profile.profile_view, name="profile"),
    path("profile/email/", change.profile_email, name="profile_email"),
    path("profile/email/confirm/<str:token>/", profile.email_confirm, name="email_confirm"),
    path("profile/password/", profile.profile_password, name="profile_password"),
    path("profile/digest/", profile.profile_digest, name="profile_digest"),
    path("profile/phone/", change.profile_phone, name="profile_phone"),
    path("profile/phone/confirm/", change.profile_phone_confirm, name="profile_phone_confirm"),
    path("profile/phone/confirm/resend/", change.profile_phone_resend, name="profile_phone_resend"),
    path("profile/change/confirm/", change.profile_change_confirm, name="profile_change_confirm"),
    path(
        "profile/change/confirm/resend/",
        change.profile_change_resend,
        name="profile_change_resend",
    ),
    path(
        "profile/change/lost-phone/",
        change.profile_change_lost_phone,
        name="profile_change_lost_phone",
    ),
    path(
        "profile/change/approve/<str:token>/",
        change.profile_change_approve,
        name="profile_change_approve",
    ),
    path(
        "profile/change/continue/", change.profile_change_continue, name="profile_change_continue"
    ),
    path("profile/consent/withdraw/", profile.consent_withdraw, name="consent_withdraw"),
]
