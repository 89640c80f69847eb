"""An import interrupted by a killed worker is seen («Прервана»), retried from admin and picked
up again by the inbox scan; a live import is left alone. The problems report keeps hostile
text as text (CWE-1236)."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from invoices.models import ServiceLine, ServiceRegistry
from invoices.registry.importer import registry_create, registry_import
from invoices.tasks import registry_inbox_scan
from tests.staff import staff_login

from .conftest import line, write_registry

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # the `frozen` clock


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser("+79990009999", "Operator-2026!")
    staff_login(client, user)
    return user


def killed(registry, *, minutes_ago=10):
    """What a worker killed mid-import leaves: «Загружается» and its last heartbeat."""
    ServiceRegistry.objects.filter(pk=registry.pk).update(
        status=ServiceRegistry.Status.RUNNING,
        heartbeat_at=NOW - dt.timedelta(minutes=minutes_ago),
    )


def test_admin_shows_an_interrupted_import_and_retries_it(
    operator, client, roster, frozen, tmp_path, django_capture_on_commit_callbacks
):
    registry = registry_create(path=write_registry(tmp_path / "r.csv", [line("A-1")]))
    killed(registry)
    changelist = reverse("admin:invoices_serviceregistry_changelist")
    assert "Прервана" in client.get(changelist).content.decode()
    page = client.get(reverse("admin:invoices_serviceregistry_change", args=[registry.pk]))
    assert "Повторить загрузку" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "retry", "_selected_action": [registry.pk]}, follow=True
        )
    assert "Загрузка поставлена в очередь заново: 1 реестр." in response.content.decode()
    registry.refresh_from_db()
    assert (registry.status, registry.loaded) == ("done", 1)
    assert ServiceLine.objects.get().line_id == "A-1"


def test_the_retry_button_requeues_and_a_second_retry_changes_nothing(
    operator, client, roster, frozen, tmp_path, django_capture_on_commit_callbacks
):
    registry = registry_create(path=write_registry(tmp_path / "r.csv", [line("A-1")]))
    killed(registry)
    url = reverse("admin:invoices_serviceregistry_retry", args=[registry.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, follow=True)
    assert callbacks == []  # finished: nothing queued again
    assert "Повторить можно только прерванную загрузку" in response.content.decode()
    registry.refresh_from_db()
    assert (registry.status, registry.loaded, ServiceLine.objects.count()) == ("done", 1, 1)


def test_a_live_import_is_neither_interrupted_nor_taken_over(
    operator, client, roster, frozen, tmp_path, django_capture_on_commit_callbacks
):
    registry = registry_create(path=write_registry(tmp_path / "r.csv", [line("A-1")]))
    killed(registry, minutes_ago=1)  # within REGISTRY_IMPORT_STALE_SECONDS: still running
    assert (
        "Прервана"
        not in client.get(reverse("admin:invoices_serviceregistry_changelist")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("admin:invoices_serviceregistry_retry", args=[registry.pk]))
    assert callbacks == []
    # A second worker (a redelivered task) does not import it beside the live one.
    assert registry_import(registry_id=registry.pk).status == "running"
    assert ServiceLine.objects.count() == 0


def test_an_import_that_raises_gives_its_lease_up(roster, frozen, tmp_path, monkeypatch):
    from invoices.registry import importer

    registry = registry_create(path=write_registry(tmp_path / "r.csv", [line("A-1")]))
    monkeypatch.setattr(importer, "batched_import", lambda *a: 1 / 0)
    monkeypatch.setattr(importer, "Pipeline", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        registry_import(registry_id=registry.pk)
    registry.refresh_from_db()
    assert (registry.status, registry.heartbeat_at) == ("running", None)


@pytest.fixture
def inbox(settings, tmp_path):
    settings.REGISTRY_INBOX_DIR = tmp_path / "inbox"
    (settings.REGISTRY_INBOX_DIR / "processing").mkdir(parents=True)
    return settings.REGISTRY_INBOX_DIR


def test_inbox_scan_resumes_a_file_a_killed_worker_left_in_processing(roster, frozen, inbox):
    orphan = write_registry(inbox / "processing" / "oct.csv", [line("A-1"), line("A-2")])
    registry = registry_create(path=orphan, original_name="oct.csv")
    killed(registry)
    assert registry_inbox_scan() == 1
    assert (inbox / "done" / "oct.csv").exists() and not orphan.exists()
    registry.refresh_from_db()
    assert (registry.status, registry.loaded) == ("done", 2)
    assert ServiceRegistry.objects.count() == 1  # the same registry, not a second one


def test_inbox_scan_leaves_a_file_whose_import_is_alive(roster, frozen, inbox):
    orphan = write_registry(inbox / "processing" / "oct.csv", [line("A-1")])
    killed(registry_create(path=orphan, original_name="oct.csv"), minutes_ago=1)
    assert registry_inbox_scan() == 0
    assert orphan.exists() and ServiceLine.objects.count() == 0


def test_inbox_scan_imports_an_orphan_that_was_never_registered(roster, inbox, settings):
    # Real time here: the age of the claim is the file's ctime against the wall clock.
    write_registry(inbox / "processing" / "nov.csv", [line("A-1")])
    assert registry_inbox_scan() == 0  # just claimed: maybe a live scan registering it
    settings.REGISTRY_IMPORT_STALE_SECONDS = 0
    assert registry_inbox_scan() == 1
    assert (inbox / "done" / "nov.csv").exists()
    assert ServiceRegistry.objects.get().loaded == 1


def test_problems_report_keeps_a_hostile_service_name_as_text(
    operator, client, roster, frozen, tmp_path
):
    hostile = '=HYPERLINK("http://evil.example","Подробнее")'
    path = write_registry(tmp_path / "r.csv", [line("H-1", policy="DMS-9999", name=hostile)])
    registry = registry_import(registry_id=registry_create(path=path).pk)
    report = client.get(reverse("admin:invoices_serviceregistry_problems", args=[registry.pk]))
    sheet = load_workbook(BytesIO(report.content))["Проблемы строк"]
    cell = sheet.cell(row=2, column=4 + 12)  # the «Наименование услуги» column
    assert cell.value == hostile
    assert cell.data_type == "s"
