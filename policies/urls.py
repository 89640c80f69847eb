from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.my_policies, name="my_policies"),
    path("<int:person_id>/card/", views.policy_card, name="card"),
    path("<int:person_id>/certificate.pdf", views.certificate, name="certificate"),
]
