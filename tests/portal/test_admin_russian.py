"""The back office in Russian (issue #13): title and header name the portal, every app, model
and field has a Russian name, and consent evidence cannot be deleted by anyone."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from franchise.demo import seed_activations
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

LATIN_ONLY = re.compile(r"^[\x00-\x7f]*$")
# Words that are the same in Russian usage: an identifier, an address, a channel's name.
ALLOWED = {"ID", "E-mail", "SMS", "PDF", "IP"}
PROJECT_APPS = {
    "notifications", "audit", "accounts", "policies", "clinics", "franchise", "invoices",
    "payments", "feedback", "faq", "care", "debts", "portal", "privacy",
}  # fmt: skip


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser(phone="+79990009998", password="x")
    staff_login(client, user)  # the admin's second factor (issue #18)
    return user


def test_admin_index_names_the_portal_and_every_app_in_russian(client, superuser):
    html = client.get(reverse("admin:index")).content.decode()
    assert "Django" not in html
    assert "Личный кабинет ДМС" in html
    captions = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html, re.S)
    assert captions and all(not LATIN_ONLY.match(c.strip()) for c in captions), captions
    assert "Попытки входа" in captions and "Журнал аудита" in captions


def test_every_model_and_field_of_the_project_has_a_russian_name():
    latin = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in PROJECT_APPS:
            continue
        for name in (meta.verbose_name, meta.verbose_name_plural):
            if LATIN_ONLY.match(str(name)):
                latin.append(f"{meta.label}: {name}")
        for field in meta.local_fields + meta.local_many_to_many:
            label = str(field.verbose_name)
            if field.name != "id" and label not in ALLOWED and LATIN_ONLY.match(label):
                latin.append(f"{meta.label}.{field.name}: {label}")
    assert latin == []


def test_filters_show_russian_titles(client, superuser):
    html = client.get(reverse("admin:invoices_invoice_changelist")).content.decode()
    assert "period year" not in html.lower()


@pytest.mark.parametrize("model_name", ["franchise.FranchiseActivation", "accounts.ConsentRecord"])
def test_consent_evidence_cannot_be_deleted_even_by_a_superuser(rf, superuser, model_name):
    model = apps.get_model(model_name)
    request = rf.get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_activation_delete_page_is_refused(client, superuser, demo):
    seed_activations()
    from franchise.models import FranchiseActivation

    activation = FranchiseActivation.objects.first()
    url = reverse("admin:franchise_franchiseactivation_delete", args=[activation.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert FranchiseActivation.objects.filter(pk=activation.pk).exists()
