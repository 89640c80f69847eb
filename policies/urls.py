from django.urls import path

from portal.placeholders import placeholder

app_name = "policies"
urlpatterns = [path("", placeholder("Мои полисы"), name="my_policies")]
