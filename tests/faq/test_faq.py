import pytest

GUIDE_QUESTIONS = [
    "Как зарегистрироваться в Личном кабинете?",
    "Как активировать франшизу?",
    "Когда и где я могу увидеть счета за оказанные услуги?",
    "Что будет, если не оплатить счета за медицинские услуги?",
]


@pytest.mark.django_db
def test_faq_is_seeded_with_the_guides_four_questions_in_order(client):
    page = client.get("/faq/").content.decode()
    positions = [page.index(q) for q in GUIDE_QUESTIONS]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_faq_search_finds_by_word_in_answer_case_and_yo_insensitive(client):
    page = client.get("/faq/", {"q": "ЭКСТРЕННОЙ"}).content.decode()
    assert "Что будет, если не оплатить счета за медицинские услуги?" in page
    assert "Как активировать франшизу?" not in page


@pytest.mark.django_db
def test_faq_search_with_no_match_says_so(client):
    page = client.get("/faq/", {"q": "ипотека"}).content.decode()
    assert "ничего не найдено" in page
