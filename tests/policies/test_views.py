import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_my_policies_lists_own_policy_first_then_relatives(client, demo, petrov_user):
    client.force_login(petrov_user)
    response = client.get(reverse("policies:my_policies"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Петров Пётр Петрович") < html.index("Сидорова Анна Сергеевна")
    for text in (
        "DMS-0003",
        "DMS-0004",
        "01.01.2026 – 31.12.2027",
        "Поликлиника, стоматология, госпитализация",
        "Действует",
        "20&nbsp;%",
        "Не активирована",
        "Порядок активации франшизы",
        "Я подтверждаю и даю согласие",
        "Отправить",
        "Полис (PDF)",
    ):
        assert text in html, text
    # One consent box and one button per person, tied together for portal.js.
    assert html.count('name="consent"') == 2
    assert f'data-requires="consent-{demo["sidorova"].pk}"' in html
    assert "Иванов" not in html


def test_user_without_a_roster_person_gets_a_clear_message(client, demo):
    staff = get_user_model().objects.create_user(phone="+79990000099", password="x")
    client.force_login(staff)
    html = client.get(reverse("policies:my_policies")).content.decode()
    assert "С этой учётной записью не связан ни один полис ДМС." in html


def test_my_policies_needs_login(client, demo):
    response = client.get(reverse("policies:my_policies"))
    assert response.status_code == 302


def test_certificate_pdf_has_cyrillic_name_number_and_desk_phone(
    client, demo, petrov_user, tmp_path
):
    client.force_login(petrov_user)
    response = client.get(reverse("policies:certificate", args=[demo["sidorova"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "polis.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\u00a0", " ")
    for expected in (
        "Сидорова Анна Сергеевна",
        "DMS-0004",
        "с 01.01.2026 по 31.12.2027",
        "20 %",
        "8 800 000-00-01",
        "Пример",
        "Поликлиника, стоматология",
    ):
        assert expected in text, expected


def test_certificate_of_another_users_person_is_404(client, demo, petrov_user, ivanov_user):
    client.force_login(petrov_user)
    response = client.get(reverse("policies:certificate", args=[demo["ivanov"].pk]))
    assert response.status_code == 404
