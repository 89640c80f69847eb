from django.urls import path

from portal.placeholders import placeholder

app_name = "invoices"
urlpatterns = [path("", placeholder("Мои счета"), name="my_invoices")]
