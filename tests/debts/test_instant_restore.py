"""Paying the last overdue invoice restores the programme in the same request (issue #12,
item 3): `invoice_mark_paid` sends `invoices.signals.invoices_paid` once committed, the debt
path listens; a failing listener never loses the payment; «Мои полисы» says what happened."""

import datetime as dt
import pathlib

import pytest
import time_machine

from debts.models import ProgrammeDowngrade
from debts.services.overdue import overdue_apply
from invoices.models import Invoice
from invoices.services.status import invoice_mark_paid
from invoices.signals import invoices_paid
from policies.models import Program

from .conftest import moscow

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 10, 1)
D = ProgrammeDowngrade.Status


def _downgraded(people, make_invoice, *, auto: bool = True) -> Invoice:
    ivanov = people["ivanov"]
    ivanov.contract.auto_restore = auto
    ivanov.contract.save(update_fields=["auto_restore"])
    invoice = make_invoice(ivanov, due=DUE, amount="240.00")
    overdue_apply(today=DUE + dt.timedelta(days=4))
    ivanov.refresh_from_db()
    assert ivanov.program.kind == Program.Kind.EMERGENCY
    return invoice


def _pay(invoice, capture) -> None:
    with capture(execute=True):
        invoice_mark_paid(invoice_ids=[invoice.pk], paid_at=moscow(DUE), reference="p")


def test_paying_the_last_overdue_invoice_restores_at_once(
    people, make_invoice, django_capture_on_commit_callbacks, client
):
    invoice = _downgraded(people, make_invoice)
    with time_machine.travel(moscow(DUE + dt.timedelta(days=5)), tick=False):
        _pay(invoice, django_capture_on_commit_callbacks)
        downgrade = ProgrammeDowngrade.objects.get()
        assert downgrade.status == D.RESTORED
        assert downgrade.restore_mode == ProgrammeDowngrade.RestoreMode.AUTO
        people["ivanov"].refresh_from_db()
        assert people["ivanov"].program.kind == Program.Kind.FULL
        client.force_login(people["user"])
        page = client.get("/policies/").content.decode()
    assert "Оплата получена, программа восстановлена" in page
    assert "не оплачены просроченные счета" not in page
    assert "0,00 ₽" not in page


def test_manual_restore_is_handed_to_the_operator_at_once(
    people, make_invoice, django_capture_on_commit_callbacks, client
):
    invoice = _downgraded(people, make_invoice, auto=False)
    _pay(invoice, django_capture_on_commit_callbacks)
    assert ProgrammeDowngrade.objects.get().status == D.AWAITING_OPERATOR
    client.force_login(people["user"])
    page = client.get("/policies/").content.decode()
    assert "Оплата получена, восстановление программы передано оператору" in page
    assert "на сумму" not in page


def test_paying_one_of_two_overdue_invoices_restores_nothing(
    people, make_invoice, django_capture_on_commit_callbacks
):
    invoice = _downgraded(people, make_invoice)
    make_invoice(people["ivanov"], due=DUE, amount="10.00", status=Invoice.Status.OVERDUE)
    _pay(invoice, django_capture_on_commit_callbacks)
    assert ProgrammeDowngrade.objects.get().status == D.ACTIVE


def test_a_failing_listener_never_loses_the_payment(
    people, make_invoice, django_capture_on_commit_callbacks, caplog
):
    invoice = _downgraded(people, make_invoice)

    def broken(sender, **kwargs):
        raise RuntimeError("listener down")

    invoices_paid.connect(broken, dispatch_uid="test-broken")
    try:
        _pay(invoice, django_capture_on_commit_callbacks)
    finally:
        invoices_paid.disconnect(dispatch_uid="test-broken")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert "listener down" in caplog.text
    # The other listener (the restore) still ran.
    assert ProgrammeDowngrade.objects.get().status == D.RESTORED


def test_the_event_goes_out_only_after_commit(people, make_invoice):
    invoice = _downgraded(people, make_invoice)
    seen = []
    invoices_paid.connect(lambda sender, **kw: seen.append(kw), weak=False, dispatch_uid="t")
    try:
        # The test transaction never commits: no event, no restore.
        invoice_mark_paid(invoice_ids=[invoice.pk], paid_at=moscow(DUE), reference="p")
    finally:
        invoices_paid.disconnect(dispatch_uid="t")
    assert seen == []
    assert ProgrammeDowngrade.objects.get().status == D.ACTIVE


def test_payments_imports_no_debts():
    for path in pathlib.Path("payments").rglob("*.py"):
        text = path.read_text()
        assert "import debts" not in text and "from debts" not in text, path
