from django.urls import path

from . import spending_views, upcoming_views, views

app_name = "invoices"
urlpatterns = [
    path("", views.my_invoices, name="my_invoices"),
    path("upcoming/", upcoming_views.upcoming, name="upcoming"),
    path("spending/", spending_views.spending, name="spending"),
    path("spending/xlsx/", spending_views.spending_download, name="spending_xlsx"),
    path("export.xlsx", views.invoices_export, name="export_xlsx"),
    path("<int:pk>/", views.invoice_detail, name="detail"),
    path("<int:pk>/xlsx/", views.invoice_xlsx, name="xlsx"),
    path("<int:pk>/pdf/", views.invoice_pdf_download, name="pdf"),
]
