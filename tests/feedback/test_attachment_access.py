"""Appeal attachments are medical documents (152-FZ art. 10, special-category data): only the
appeal's owner and the staff who work appeals (`feedback.view_appeal`, the «Эксперты» group)
may download them, and every staff download is on the audit trail."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from feedback.models import AppealAttachment

from .factories import PNG_BYTES, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(client, world):
    client.force_login(world["owner"])
    client.post(
        reverse("feedback:index"),
        {
            "kind": "question",
            "text": "Направление во вложении",
            "person": world["ivanov"].pk,
            "attachments": [SimpleUploadedFile("scan.png", PNG_BYTES, "image/png")],
        },
    )
    client.logout()
    return reverse("feedback:attachment", args=[AppealAttachment.objects.get().pk])


def test_owner_downloads_his_file_and_that_is_not_audited(client, world, url):
    client.force_login(world["owner"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert not AuditEntry.objects.filter(action="appeal.attachment_download").exists()


def test_stranger_gets_404(client, world, url):
    client.force_login(world["stranger"])
    assert client.get(url).status_code == 404


def test_staff_without_the_appeal_permission_gets_404_and_nothing_is_sent(client, world, url):
    clerk = make_user(staff=True)
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="appeal.attachment_download").exists()


def test_expert_downloads_and_the_download_is_audited(client, world, url, staff_group):
    expert = make_user(staff=True)
    expert.groups.add(staff_group("Эксперты"))
    client.force_login(expert)
    response = client.get(url, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    entry = AuditEntry.objects.get(action="appeal.attachment_download")
    item = AppealAttachment.objects.get()
    assert entry.actor == expert
    assert (entry.target_type, entry.target_id) == ("feedback.AppealAttachment", str(item.pk))
    assert entry.ip == "203.0.113.7"
    assert entry.data["appeal"] == item.appeal_id
