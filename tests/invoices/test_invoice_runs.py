"""«Запустить выставление счетов» from admin (issue #13): the run is queued after commit, its
row shows the result, a second run of a period while one is active is refused, a rerun forms
nothing new, and «Операторы» may start it."""

import pytest
from django.test import Client
from django.urls import reverse

from invoices.models import Invoice, InvoiceRun
from invoices.registry.importer import registry_import_file
from invoices.services.runs import (
    InvoiceRunBusy,
    invoice_run_execute,
    invoice_run_periods,
    invoice_run_start,
)
from tests.staff import staff_login

from .conftest import line, write_registry

pytestmark = pytest.mark.django_db
ADD = "admin:invoices_invoicerun_add"


@pytest.fixture
def october(roster, frozen, tmp_path):
    registry_import_file(path=write_registry(tmp_path / "r.csv", [line("A-1"), line("A-2")]))
    return (2026, 10)


@pytest.fixture
def operator(django_user_model, staff_group):
    user = django_user_model.objects.create_user("+79990008888", "Operator-2026!", is_staff=True)
    user.groups.add(staff_group("Операторы"))
    client = Client()
    staff_login(client, user)
    return user, client


def test_periods_offer_the_current_month_first_then_closed_ones(frozen):
    periods = invoice_run_periods(months=3)
    assert periods == [(2026, 11), (2026, 10), (2026, 9), (2026, 8)]


def test_run_is_queued_after_commit_and_records_its_result(
    october, django_user_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = invoice_run_start(period=october, by=None)
    assert len(callbacks) == 2  # the run, then the «invoice ready» notices it queued
    run.refresh_from_db()
    assert (run.status, run.invoices_formed) == (InvoiceRun.Status.DONE, 1)
    assert run.started_at and run.finished_at and Invoice.objects.count() == 1
    # A rerun of a finished period forms nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = invoice_run_start(period=october, by=None)
    again.refresh_from_db()
    assert (again.status, again.invoices_formed) == (InvoiceRun.Status.DONE, 0)
    assert Invoice.objects.count() == 1


def test_second_run_while_one_is_active_is_refused(october, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = invoice_run_start(period=october, by=None)
        with pytest.raises(InvoiceRunBusy, match="за октябрь 2026 уже идёт"):
            invoice_run_start(period=october, by=None)
        invoice_run_start(period=(2026, 9), by=None)  # another period is another run
    assert InvoiceRun.objects.count() == 2
    invoice_run_execute(run_id=first.pk)
    assert invoice_run_execute(run_id=first.pk).invoices_formed == 1  # redelivery is a no-op


def test_failed_run_records_the_error(october, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("нет связи с базой")

    monkeypatch.setattr("invoices.services.runs.invoice_run", boom)
    run = InvoiceRun.objects.create(period_year=2026, period_month=10)
    run = invoice_run_execute(run_id=run.pk)
    assert (run.status, run.error) == (InvoiceRun.Status.FAILED, "нет связи с базой")


def test_operator_starts_a_run_in_admin_and_sees_the_count(
    october, operator, django_capture_on_commit_callbacks
):
    user, client = operator
    page = client.get(reverse(ADD)).content.decode()
    assert '<option value="2026-10" selected>октябрь 2026</option>' in page
    assert '<option value="2026-11">ноябрь 2026</option>' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(ADD), {"period": "2026-10"})
    html = client.get(response.url).content.decode()  # the worker has run by now
    assert "Выставление счетов поставлено в очередь." in html
    assert "Сформировано: 1 счёт" in html and 'http-equiv="refresh"' not in html
    assert InvoiceRun.objects.get().started_by == user
    listing = client.get(reverse("admin:invoices_invoicerun_changelist")).content.decode()
    assert "Запустить выставление счетов" in listing and "Сформировано: 1 счёт" in listing


def test_admin_refuses_a_second_active_run_and_a_bad_period(october, operator):
    _, client = operator
    InvoiceRun.objects.create(period_year=2026, period_month=10)
    html = client.post(reverse(ADD), {"period": "2026-10"}).content.decode()
    assert "Выставление счетов за октябрь 2026 уже идёт — дождитесь его окончания." in html
    html = client.post(reverse(ADD), {"period": "1999-01"}).content.decode()
    assert "Выберите период из списка" in html
    assert InvoiceRun.objects.count() == 1


def test_queued_run_page_refreshes(operator):
    _, client = operator
    run = InvoiceRun.objects.create(period_year=2026, period_month=10)
    html = client.get(reverse("admin:invoices_invoicerun_change", args=[run.pk])).content
    assert 'http-equiv="refresh"' in html.decode() and "В очереди" in html.decode()
