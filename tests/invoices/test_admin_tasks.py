"""Back office: registry upload with its report, the held queue, annulment and deposits in
admin; the inbox task."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from invoices.models import DepositEntry, Invoice, ServiceLine, ServiceRegistry
from invoices.registry.importer import registry_import_file
from invoices.services.invoicing import invoice_run
from invoices.tasks import registry_inbox_scan
from tests.staff import staff_login

from .conftest import activate, line, write_registry

pytestmark = pytest.mark.django_db
NOV_25 = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser("+79990009999", "Operator-2026!")
    staff_login(client, user)
    return user


def test_upload_imports_and_offers_the_problems_report(
    operator, client, roster, frozen, tmp_path, django_capture_on_commit_callbacks
):
    path = write_registry(
        tmp_path / "r.csv",
        [line("A-1"), line("B-1", date="31.02.2026"), line("H-1", policy="DMS-9999")],
    )
    upload = SimpleUploadedFile("r.csv", path.read_bytes(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:invoices_serviceregistry_add"), {"file": upload})
    assert response.status_code == 302
    registry = ServiceRegistry.objects.get()
    assert (registry.status, registry.loaded, registry.held, registry.rejected) == ("done", 1, 1, 1)
    page = client.get(reverse("admin:invoices_serviceregistry_change", args=[registry.pk]))
    assert "Скачать проблемы строк (XLSX)" in page.content.decode()
    report = client.get(reverse("admin:invoices_serviceregistry_problems", args=[registry.pk]))
    sheet = load_workbook(BytesIO(report.content))["Проблемы строк"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Строка", "Итог", "Колонка", "Причина")
    assert {(r[0], r[1], r[2]) for r in rows[1:]} == {
        (3, "Отклонена", "Дата услуги"),
        (4, "Задержана", "Номер полиса"),
    }


def test_upload_refuses_other_formats(operator, client):
    upload = SimpleUploadedFile("r.pdf", b"%PDF", content_type="application/pdf")
    response = client.post(reverse("admin:invoices_serviceregistry_add"), {"file": upload})
    assert "Загрузите реестр в формате XLSX или CSV" in response.content.decode()
    assert not ServiceRegistry.objects.exists()


def test_held_queue_rematches_after_activation_and_dismisses(
    operator, client, roster, frozen, tmp_path
):
    petrov = dict(
        policy="DMS-0003", last="Петров", first="Пётр", patronymic="Петрович", birth="15.05.1990"
    )
    registry_import_file(
        path=write_registry(tmp_path / "r.csv", [line("H-1", **petrov), line("H-2", **petrov)])
    )
    url = reverse("admin:invoices_heldserviceline_changelist")
    assert "Франшиза не активирована" in client.get(url).content.decode()
    activate(roster["petrov"], effective=dt.date(2026, 1, 1))
    h1 = ServiceLine.objects.get(line_id="H-1")
    client.post(url, {"action": "rematch", "_selected_action": [h1.pk]})
    h1.refresh_from_db()
    assert h1.status == "loaded" and h1.person == roster["petrov"]
    h2 = ServiceLine.objects.get(line_id="H-2")
    client.post(url, {"action": "dismiss", "_selected_action": [h2.pk]})
    assert ServiceLine.objects.get(pk=h2.pk).status == "dismissed"


def test_admin_annuls_with_a_reason(operator, client, roster, frozen, tmp_path):
    registry_import_file(path=write_registry(tmp_path / "r.csv", [line("A-1")]))
    (invoice,) = invoice_run(period=(2026, 10), now=NOV_25)
    response = client.post(
        reverse("admin:invoices_invoice_changelist"),
        {"action": "annul", "_selected_action": [invoice.pk]},
    )
    form_url = response["Location"]
    assert "Аннулирование счетов" in client.get(form_url).content.decode()
    client.post(form_url, {"reason": "Клиника отозвала реестр", "lines_action": "return"})
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ANNULLED
    assert ServiceLine.objects.get().status == "loaded"


def test_admin_records_a_deposit_payment(operator, client, roster):
    response = client.post(
        reverse("admin:invoices_depositentry_add"),
        {
            "person": roster["ivanova"].pk,
            "amount": "0.50",
            "paid_at_0": "20.11.2026",
            "paid_at_1": "10:00",
            "paid_at": "2026-11-20 10:00",
            "reference": "п/п 17",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = DepositEntry.objects.get()
    assert (entry.kind, entry.amount, entry.reference) == ("payment", Decimal("0.50"), "п/п 17")
    refused = client.post(
        reverse("admin:invoices_depositentry_add"),
        {"person": roster["ivanov"].pk, "amount": "1.00", "paid_at": "2026-11-20 10:00"},
    )
    assert refused.status_code == 200  # an employee's policy is not offered
    assert DepositEntry.objects.count() == 1


def test_inbox_scan_imports_and_moves_files(roster, frozen, tmp_path, settings):
    settings.REGISTRY_INBOX_DIR = tmp_path / "inbox"
    settings.REGISTRY_INBOX_DIR.mkdir()
    write_registry(settings.REGISTRY_INBOX_DIR / "good.csv", [line("A-1")])
    (settings.REGISTRY_INBOX_DIR / "bad.csv").write_text("не реестр\n", encoding="utf-8")
    (settings.REGISTRY_INBOX_DIR / "notes.txt").write_text("skip me", encoding="utf-8")
    assert registry_inbox_scan() == 2
    assert (settings.REGISTRY_INBOX_DIR / "done" / "good.csv").exists()
    assert (settings.REGISTRY_INBOX_DIR / "failed" / "bad.csv").exists()
    assert (settings.REGISTRY_INBOX_DIR / "notes.txt").exists()
    assert ServiceLine.objects.get().line_id == "A-1"
    assert registry_inbox_scan() == 0
