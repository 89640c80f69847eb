"""Issue #18 item 5: who opened which health data or export is written to an append-only log
that the «Безопасность» group reads in the admin (ASVS 5.0 V16.2.1, V16.4.2; 152-FZ art. 19)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from audit.models import AppendOnlyError, ReadAccess
from feedback.models import AppealAttachment
from tests.feedback.factories import PNG_BYTES, make_invoice, make_user
from tests.staff import staff_login


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner(demo):
    return make_user(demo["ivanov"], email="ivanov@example.com")


def kinds():
    return list(ReadAccess.objects.order_by("id").values_list("kind", "object_id", "actor_label"))


def test_invoice_details_xlsx_and_the_export_are_logged(client, demo, owner):
    invoice = make_invoice(demo["ivanov"])
    client.force_login(owner)
    assert client.get(reverse("invoices:detail", args=[invoice.pk])).status_code == 200
    assert client.get(reverse("invoices:xlsx", args=[invoice.pk])).status_code == 200
    assert client.get(reverse("invoices:export_xlsx")).status_code == 200
    assert kinds() == [
        ("invoice_detail", str(invoice.pk), str(owner.phone)),
        ("invoice_xlsx", str(invoice.pk), str(owner.phone)),
        ("invoices_xlsx", str(owner.pk), str(owner.phone)),
    ]
    row = ReadAccess.objects.first()
    assert row.ip == "127.0.0.1" and row.actor == owner and not row.actor_is_staff


def test_a_strangers_refused_attempt_is_not_a_read(client, demo, owner):
    invoice = make_invoice(demo["ivanov"])
    client.force_login(make_user(demo["petrov"]))
    assert client.get(reverse("invoices:detail", args=[invoice.pk])).status_code == 404
    assert kinds() == []


def test_appeal_attachment_reads_by_owner_and_expert_are_logged(client, demo, owner, staff_group):
    client.force_login(owner)
    client.post(
        reverse("feedback:index"),
        {
            "kind": "question",
            "text": "Выписка во вложении",
            "person": demo["ivanov"].pk,
            "attachments": [SimpleUploadedFile("scan.png", PNG_BYTES, "image/png")],
        },
    )
    item = AppealAttachment.objects.get()
    url = reverse("feedback:attachment", args=[item.pk])
    assert client.get(url).status_code == 200
    expert = make_user(staff=True)
    expert.groups.add(staff_group("Эксперты"))
    client.force_login(expert)
    assert client.get(url).status_code == 200
    assert [
        (k, staff)
        for k, staff in ReadAccess.objects.order_by("id").values_list("kind", "actor_is_staff")
    ] == [("appeal_attachment", False), ("appeal_attachment", True)]


def test_the_log_cannot_be_changed_or_deleted_through_the_orm(client, demo, owner):
    client.force_login(owner)
    client.get(reverse("invoices:export_xlsx"))
    row = ReadAccess.objects.get()
    row.object_id = "forged"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        ReadAccess.objects.all().update(object_id="forged")
    with pytest.raises(AppendOnlyError):
        ReadAccess.objects.all().delete()
    assert ReadAccess.objects.get().object_id == str(owner.pk)


def test_postgresql_refuses_update_and_delete_of_the_log(postgres, client, demo, owner):
    client.force_login(owner)
    client.get(reverse("invoices:export_xlsx"))
    for sql in ("UPDATE audit_readaccess SET object_id = 'x'", "DELETE FROM audit_readaccess"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert ReadAccess.objects.count() == 1


def test_security_group_reads_the_log_in_the_admin_others_do_not(client, demo, owner, staff_group):
    client.force_login(owner)
    client.get(reverse("invoices:export_xlsx"))
    url = reverse("admin:audit_readaccess_changelist")
    officer = make_user(staff=True)
    officer.groups.add(staff_group("Безопасность"))
    staff_login(client, officer)
    page = client.get(url)
    assert page.status_code == 200
    assert "Все счета в XLSX" in page.content.decode()
    row = ReadAccess.objects.get()
    change = reverse("admin:audit_readaccess_change", args=[row.pk])
    assert client.post(change, {"object_id": "x"}).status_code == 403
    assert client.post(reverse("admin:audit_readaccess_delete", args=[row.pk])).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    for group in ("Операторы", "Эксперты", "Медпульт"):
        user = make_user(staff=True)
        user.groups.add(staff_group(group))
        staff_login(client, user)
        assert client.get(url).status_code == 403, group
