"""«Предстоящие начисления» and «Это был не я» on lines not yet invoiced (SPEC §3.8)."""

import re

import pytest
from django.test import Client

from feedback.models import Appeal
from feedback.services import appeal_accept, appeal_create, appeal_reject
from invoices.models import InvoiceLine, ServiceLine
from invoices.registry.importer import registry_create, registry_import
from invoices.services.invoicing import invoice_run
from invoices.upcoming import upcoming_notify
from notifications.models import Message
from tests.payments.factories import make_user

from .conftest import line, write_registry

pytestmark = pytest.mark.django_db

CHILD = {
    "policy": "DMS-0002",
    "last": "Иванова",
    "first": "Мария",
    "birth": "10.06.2015",
    "patronymic": "Ивановна",
}


@pytest.fixture
def owner(roster):
    return make_user(roster["ivanov"], phone="+79990000001", email="ivanov@example.com")


@pytest.fixture
def imported(roster, frozen, tmp_path):
    rows = [
        line("U-1", date="10.10.2026", price="1000,00", name="Приём терапевта"),
        line("U-2", date="11.10.2026", price="333,33", name="Анализ крови"),
        line("U-3", date="12.10.2026", price="2500,00", name="Приём педиатра", **CHILD),
        # Held (the name does not match the policy): never on the page.
        line("U-4", date="13.10.2026", last="Сидоров", name="Задержанная услуга"),
    ]
    path = write_registry(tmp_path / "r.csv", rows)
    return registry_import(registry_id=registry_create(path=path).pk, fast=False)


def page_text(client, url="/invoices/upcoming/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_upcoming_lists_unbilled_lines_by_person_with_the_expected_copay(owner, imported):
    html = page_text(logged_in(owner))
    assert "Это ещё не счёт" in html
    assert "Ожидаемая сооплата" in html
    assert "Приём терапевта" in html and "Приём педиатра" in html
    assert "Задержанная услуга" not in html
    # 20 % of 1 000,00 + 333,33 + 2 500,00 = 200,00 + 66,67 + 500,00
    assert re.search(r"Итого ожидается\s*<strong[^>]*>766,67\xa0₽", html)
    assert html.index("Иванов Иван") < html.index("Иванова Мария")
    assert html.count(">Это был не я</a>") == 3


def test_a_stranger_sees_none_of_them(roster, imported):
    stranger = make_user(roster["petrov"], phone="+79990000003", email="p@example.com")
    html = page_text(logged_in(stranger))
    assert "Приём терапевта" not in html
    assert "Новых услуг, ещё не вошедших в счёт, нет" in html


def test_lines_leave_the_page_when_the_run_bills_them(owner, imported):
    invoice_run(period=(2026, 10), notify=False)
    html = page_text(logged_in(owner))
    assert "Приём терапевта" not in html
    assert "Итого ожидается" not in html


def test_the_tabs_are_on_both_pages(owner, imported):
    client = logged_in(owner)
    for url in ("/invoices/", "/invoices/upcoming/"):
        html = page_text(client, url)
        assert 'href="/invoices/upcoming/"' in html and ">Предстоящие начисления<" in html
        assert ">Счета<" in html


def test_new_services_notice_once_per_import_and_person(owner, imported):
    assert upcoming_notify(registry_id=imported.pk) == 4  # two people × SMS and e-mail
    assert upcoming_notify(registry_id=imported.pk) == 0
    sms = Message.objects.filter(event="upcoming_new", channel="sms")
    assert sms.count() == 2
    assert {m.recipient for m in sms} == {"+79990000001"}  # the child's lines go to the sponsor
    assert "Новые услуги в Личном кабинете" in sms.first().body


def test_the_import_queues_the_notice_after_commit(
    roster, frozen, tmp_path, owner, django_capture_on_commit_callbacks
):
    path = write_registry(tmp_path / "r.csv", [line("N-1")])
    with django_capture_on_commit_callbacks(execute=True):
        registry_import(registry_id=registry_create(path=path).pk, fast=False)
    assert Message.objects.filter(event="upcoming_new").count() == 2


def not_me(client, line_pk):
    return client.get(
        f"/feedback/?kind=service_dispute&reason=not_rendered&service_line={line_pk}"
    ).content.decode()


def test_not_me_opens_the_dispute_filled_for_the_line(owner, imported):
    target = ServiceLine.objects.get(line_id="U-1")
    html = not_me(logged_in(owner), target.pk)
    assert "Оспариваемая услуга (ещё не в счёте)" in html
    assert f'name="service_line" value="{target.pk}"' in html
    assert re.search(r'value="not_rendered"\s+checked', html)
    assert re.search(r'value="service_dispute"\s+checked', html)


def test_not_me_refuses_a_line_of_another_family(roster, imported):
    stranger = make_user(roster["petrov"], phone="+79990000003", email="p@example.com")
    client = logged_in(stranger)
    target = ServiceLine.objects.get(line_id="U-1")
    html = not_me(client, target.pk)
    assert "Эта услуга уже вошла в счёт или недоступна" in html
    assert f'value="{target.pk}"' not in html
    response = client.post(
        "/feedback/",
        {"kind": "service_dispute", "service_line": target.pk, "reason": "not_rendered"},
    )
    assert response.status_code == 200
    assert "Эта услуга уже вошла в счёт или недоступна" in response.content.decode()
    assert not Appeal.objects.exists()


def test_post_files_the_dispute_and_the_run_leaves_the_line_out(owner, imported):
    client = logged_in(owner)
    target = ServiceLine.objects.get(line_id="U-1")
    response = client.post(
        "/feedback/",
        {"kind": "service_dispute", "service_line": target.pk, "reason": "not_rendered"},
    )
    assert response.status_code == 302
    detail = client.get(response.url).content.decode()
    assert "Оспариваемая услуга (ещё не в счёте)" in detail and "Приём терапевта" in detail
    appeal = Appeal.objects.get()
    assert appeal.service_line_id == target.pk and appeal.invoice_id is None
    target.refresh_from_db()
    assert target.dispute_open
    assert "оспаривается" in page_text(client)
    # The same line a second time: refused with a message, not a 500.
    again = client.post(
        "/feedback/",
        {"kind": "service_dispute", "service_line": target.pk, "reason": "not_rendered"},
    )
    assert "уже оспаривается" in again.content.decode()
    invoice_run(period=(2026, 10), notify=False)
    target.refresh_from_db()
    assert target.status == ServiceLine.Status.LOADED
    assert not InvoiceLine.objects.filter(service_line=target).exists()
    html = page_text(client)
    assert "Приём терапевта" in html and "оспаривается" in html


def dispute(owner, line_id):
    target = ServiceLine.objects.get(line_id=line_id)
    appeal = appeal_create(
        user=owner,
        person=target.person,
        kind=Appeal.Kind.SERVICE_DISPUTE,
        text="",
        reason=Appeal.Reason.NOT_RENDERED,
        service_line_id=target.pk,
    )
    return appeal, target


def test_accepted_the_line_is_never_billed(owner, imported, admin_user):
    appeal, target = dispute(owner, "U-1")
    appeal_accept(appeal_id=appeal.pk, answer="Визита не было", by=admin_user)
    target.refresh_from_db()
    assert target.status == ServiceLine.Status.DISMISSED and not target.dispute_open
    invoice_run(period=(2026, 10), notify=False)
    assert not InvoiceLine.objects.filter(service_line=target).exists()
    assert Appeal.objects.get().status == Appeal.Status.ACCEPTED


def test_rejected_the_next_run_bills_the_line(owner, imported, admin_user):
    appeal, target = dispute(owner, "U-1")
    invoice_run(period=(2026, 10), notify=False)
    appeal_reject(appeal_id=appeal.pk, answer="Визит подтверждён клиникой", by=admin_user)
    target.refresh_from_db()
    assert target.status == ServiceLine.Status.LOADED and not target.dispute_open
    invoice_run(period=(2026, 10), notify=False)
    assert InvoiceLine.objects.filter(service_line=target).count() == 1


def test_invoice_details_carry_flags_and_the_not_me_link(owner, roster, frozen, tmp_path):
    path = write_registry(tmp_path / "r.csv", [line("R-1"), line("R-2")])
    registry_import(registry_id=registry_create(path=path).pk, fast=False)
    client = logged_in(owner)
    assert page_text(client).count("Повтор услуги") == 2
    invoice = invoice_run(period=(2026, 10), notify=False)[0]
    html = page_text(client, f"/invoices/{invoice.pk}/?partial=1")
    assert html.count("Повтор услуги") == 2
    first = invoice.lines.order_by("id").first()
    link = f"invoice={invoice.pk}&amp;line={first.pk}"
    assert link in html and "Это был не я" in html
    form = client.get(
        f"/feedback/?kind=service_dispute&reason=not_rendered&invoice={invoice.pk}&line={first.pk}"
    ).content.decode()
    assert re.search(rf'value="{first.pk}" id="line-{first.pk}"\s+checked', form)
    assert re.search(r'value="not_rendered"\s+checked', form)
