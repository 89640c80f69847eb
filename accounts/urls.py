from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("register/confirm/", views.register_confirm, name="register_confirm"),
    path("register/confirm/resend/", views.register_resend, name="register_resend"),
    path("consent/", views.consent_text, name="consent_text"),
    path("consent/<str:version>/", views.consent_text, name="consent_text_version"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/forgot/confirm/", views.password_forgot_confirm, name="password_forgot_confirm"),
    path(
        "password/forgot/confirm/resend/",
        views.password_forgot_resend,
        name="password_forgot_resend",
    ),
    path("password/new/", views.password_reset_new, name="password_reset_new"),
    path("profile/", views.profile_view, name="profile"),
    path("profile/email/", views.profile_email, name="profile_email"),
    path("profile/email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("profile/password/", views.profile_password, name="profile_password"),
    path("profile/phone/", views.profile_phone, name="profile_phone"),
    path("profile/phone/confirm/", views.profile_phone_confirm, name="profile_phone_confirm"),
    path("profile/phone/confirm/resend/", views.profile_phone_resend, name="profile_phone_resend"),
    path("profile/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
