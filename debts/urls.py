from django.urls import path

from . import views

app_name = "debts"
urlpatterns = [
    path("reports/<str:token>/", views.employer_report, name="employer_report"),
]
