import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feedback.models import Appeal, AppealAttachment
from invoices.models import Invoice

from .factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, make_invoice

pytestmark = pytest.mark.django_db
INDEX = reverse("feedback:index")


@pytest.fixture
def owner_client(client, world):
    client.force_login(world["owner"])
    return client


def post_question(client, files=(), text="Где мой полис?", person=None):
    return client.post(
        INDEX,
        {"kind": "question", "text": text, "person": person or "", "attachments": list(files)},
    )


def test_page_shows_the_four_kinds_at_once_and_the_users_appeals(owner_client, world):
    page = owner_client.get(INDEX).content.decode()
    for label in ("Вопрос", "Несогласие с услугой", "Изменение контактных данных", "Другое"):
        assert f">{label}</label>" in page
    post_question(owner_client, person=world["ivanov"].pk)
    page = owner_client.get(INDEX).content.decode()
    assert "Обращение №" in page and "Новое" in page


def test_question_is_filed_and_the_user_lands_on_its_history(owner_client, world):
    response = post_question(owner_client, person=world["ivanov"].pk)
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:detail", args=[appeal.pk])
    page = owner_client.get(response["Location"]).content.decode()
    assert "Обращение зарегистрировано" in page and "Где мой полис?" in page


def test_question_without_text_gets_a_russian_message(owner_client, world):
    response = post_question(owner_client, text="", person=world["ivanov"].pk)
    assert "Опишите ваше обращение" in response.content.decode()
    assert not Appeal.objects.exists()


def test_another_users_person_is_not_accepted(owner_client, world):
    response = post_question(owner_client, person=world["petrov"].pk)
    assert response.status_code == 200
    assert not Appeal.objects.exists()


def test_dispute_link_prefills_the_invoice_and_kind(owner_client, world):
    invoice = world["invoice"]
    page = owner_client.get(
        INDEX, {"invoice": invoice.pk, "kind": "service_dispute"}
    ).content.decode()
    assert f'<option value="{invoice.pk}" selected>' in page
    assert 'value="service_dispute" checked' in page
    assert "Приём терапевта" in page and "Анализ крови" in page


def test_dispute_of_another_users_invoice_is_404_on_get_and_post(owner_client, world):
    other = world["stranger_invoice"]
    assert (
        owner_client.get(INDEX, {"invoice": other.pk, "kind": "service_dispute"}).status_code == 404
    )
    response = owner_client.post(
        INDEX,
        {
            "kind": "service_dispute",
            "invoice": other.pk,
            "lines": [other.lines.first().pk],
            "reason": "not_rendered",
        },
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Invoice.Status.NEW
    assert owner_client.get(INDEX, {"invoice": "abc"}).status_code == 404


def test_dispute_via_the_form_marks_the_invoice(owner_client, world):
    invoice = world["invoice"]
    line = invoice.lines.first()
    response = owner_client.post(
        INDEX,
        {
            "kind": "service_dispute",
            "invoice": invoice.pk,
            "lines": [line.pk],
            "reason": "other_quality",
        },
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DISPUTED
    appeal = Appeal.objects.get()
    assert appeal.dispute_reason == "other_quality" and appeal.person == world["ivanov"]


def test_dispute_needs_lines_and_a_reason(owner_client, world):
    invoice = world["invoice"]
    page = owner_client.post(
        INDEX, {"kind": "service_dispute", "invoice": invoice.pk}
    ).content.decode()
    assert "Отметьте хотя бы одну оспариваемую услугу" in page
    assert "Укажите причину несогласия" in page


def test_pending_invoice_link_explains_why_it_cannot_be_disputed(owner_client, world):
    pending = make_invoice(world["ivanov"], status=Invoice.Status.PENDING)
    response = owner_client.get(
        INDEX, {"invoice": pending.pk, "kind": "service_dispute"}, follow=True
    )
    page = response.content.decode()
    assert f"Счёт {pending.number} нельзя оспорить" in page and "выполняется оплата" in page


def test_relatives_invoice_can_be_disputed_by_the_sponsor(owner_client, world):
    child_invoice = make_invoice(world["ivanova"])
    response = owner_client.post(
        INDEX,
        {
            "kind": "service_dispute",
            "invoice": child_invoice.pk,
            "lines": [child_invoice.lines.first().pk],
            "reason": "not_rendered",
        },
    )
    assert response.status_code == 302
    assert Appeal.objects.get().person == world["ivanova"]


def test_another_users_appeal_page_is_404(client, world):
    client.force_login(world["owner"])
    post_question(client, person=world["ivanov"].pk)
    appeal = Appeal.objects.get()
    client.force_login(world["stranger"])
    assert client.get(reverse("feedback:detail", args=[appeal.pk])).status_code == 404


# --- attachments -------------------------------------------------------------------------------


def test_pdf_jpg_and_png_attachments_are_stored_outside_the_web_root(
    owner_client, world, media_root
):
    files = [
        SimpleUploadedFile("акт.pdf", PDF_BYTES, "application/pdf"),
        SimpleUploadedFile("photo.JPG", JPEG_BYTES, "image/jpeg"),
        SimpleUploadedFile("scan.png", PNG_BYTES, "image/png"),
    ]
    assert post_question(owner_client, files, person=world["ivanov"].pk).status_code == 302
    items = list(AppealAttachment.objects.order_by("id"))
    assert [a.content_type for a in items] == ["application/pdf", "image/jpeg", "image/png"]
    for item in items:
        path = Path(item.file.path)
        assert path.is_file() and Path(media_root) in path.parents
        assert "акт" not in path.name  # the user's name never reaches the file system
    response = owner_client.get(reverse("feedback:attachment", args=[items[0].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]


def test_file_type_is_checked_by_content_not_by_name(owner_client, world):
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 this is an exe", "application/pdf")
    page = post_question(owner_client, [fake], person=world["ivanov"].pk).content.decode()
    assert "не является PDF, JPG или PNG" in page
    assert not Appeal.objects.exists()


def test_file_size_and_count_are_limited(owner_client, world):
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (5 * 1024 * 1024), "application/pdf")
    page = post_question(owner_client, [big], person=world["ivanov"].pk).content.decode()
    assert "больше 5,0" in page
    many = [SimpleUploadedFile(f"{i}.png", PNG_BYTES, "image/png") for i in range(6)]
    page = post_question(owner_client, many, person=world["ivanov"].pk).content.decode()
    assert "не больше 5 файлов" in page
    assert not Appeal.objects.exists()


def test_another_users_attachment_url_is_404_but_staff_may_open_it(client, world):
    client.force_login(world["owner"])
    post_question(
        client, [SimpleUploadedFile("a.png", PNG_BYTES, "image/png")], person=world["ivanov"].pk
    )
    url = reverse("feedback:attachment", args=[AppealAttachment.objects.get().pk])
    client.force_login(world["stranger"])
    assert client.get(url).status_code == 404
    client.force_login(world["expert"])
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_pages_need_login(client, db):
    for name in ("feedback:index", "feedback:travel"):
        assert client.get(reverse(name)).status_code == 302


def test_appeal_deadline_is_shown_as_ddmmyyyy(owner_client, world):
    post_question(owner_client, person=world["ivanov"].pk)
    appeal = Appeal.objects.get()
    assert isinstance(appeal.deadline, dt.date)
    page = owner_client.get(INDEX).content.decode()
    assert f"ответ до {appeal.deadline:%d.%m.%Y}" in page


def test_only_the_chosen_invoices_lines_are_rendered(owner_client, world):
    other = make_invoice(world["ivanov"], lines=(("Массаж спины", "3000.00"),))
    page = owner_client.get(INDEX, {"invoice": world["invoice"].pk}).content.decode()
    assert "Приём терапевта" in page and "Массаж спины" not in page
    assert f"Счёт {other.number} от" in page  # still offered in the invoice choice
    page = owner_client.get(INDEX, {"kind": "service_dispute"}).content.decode()
    assert "Выберите счёт — появится список его услуг" in page and "Приём терапевта" not in page
    # Without JS, submitting with an invoice but no lines shows that invoice's lines.
    page = owner_client.post(
        INDEX, {"kind": "service_dispute", "invoice": other.pk, "reason": "not_rendered"}
    ).content.decode()
    assert "Массаж спины" in page and "Отметьте хотя бы одну оспариваемую услугу" in page


def test_a_line_under_an_open_dispute_is_shown_disabled(owner_client, world):
    invoice = world["invoice"]
    first, second = invoice.lines.all()
    owner_client.post(
        INDEX,
        {
            "kind": "service_dispute",
            "invoice": invoice.pk,
            "lines": [first.pk],
            "reason": "not_rendered",
        },
    )
    page = owner_client.get(
        INDEX, {"invoice": invoice.pk, "kind": "service_dispute"}
    ).content.decode()
    assert page.count("уже оспаривается") == 1
    response = owner_client.post(
        INDEX,
        {
            "kind": "service_dispute",
            "invoice": invoice.pk,
            "lines": [first.pk],
            "reason": "not_rendered",
        },
    )
    assert "Услуга «Приём терапевта» уже оспаривается" in response.content.decode()
    assert Appeal.objects.count() == 1
