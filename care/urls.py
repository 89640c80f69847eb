from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("requests/", views.requests_page, name="requests"),
    path("requests/<int:pk>/answer/", views.request_answer, name="request_answer"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("sos/", views.sos, name="sos"),
    path("support/", views.support_page, name="support"),
    path("support/messages/", views.support_messages, name="support_messages"),
    path("support/attachments/<int:pk>/", views.support_attachment, name="support_attachment"),
]
