from django.contrib.auth import views as auth_views
from django.urls import path

from portal.placeholders import placeholder

app_name = "accounts"
urlpatterns = [
    path(
        "",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", placeholder("Личные данные"), name="profile"),
]
