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


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["франшиза", "Франшизой", "активация франшизы"])
def test_faq_search_understands_russian_word_forms(client, query):
    page = client.get("/faq/", {"q": query}).content.decode()
    assert "Как активировать франшизу?" in page
    assert "ничего не найдено" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "question"),
    [
        ("несколько счетов", "Можно ли оплатить несколько счетов сразу?"),
        ("спор", "Я не согласен со счётом. Как его оспорить и сколько ждать ответа?"),
        ("родственники", "Что такое гарантийный взнос за родственника?"),
        ("ВЗР", "Как оформить бонусный полис ВЗР для поездки за границу?"),
        ("телефона", "Как изменить телефон или e-mail?"),
    ],
)
def test_faq_answers_what_people_ask(client, query, question):
    assert question in client.get("/faq/", {"q": query}).content.decode()


@pytest.mark.django_db
def test_an_edited_question_is_found_by_its_new_words(client):
    from faq.models import FaqItem

    item = FaqItem.objects.get(question="Как активировать франшизу?")
    item.answer = "Нажмите кнопку на странице полисов."
    item.save()
    assert "Как активировать франшизу?" in client.get("/faq/", {"q": "кнопкой"}).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["неустойка", "неустойку", "Неустойки"])
def test_faq_explains_the_penalty_and_finds_it_by_word_forms(client, query):
    page = client.get("/faq/", {"q": query}).content.decode()
    assert "Что такое неустойка в счёте и как сделать, чтобы она не начислялась?" in page
    assert "оплатите счёт" in page


def test_the_list_is_rendered_once_and_again_after_every_change(client, faq_seeded):
    """Without a search the list is the same for everybody and comes from the cache (issue
    #19); saving, adding or deleting a question or a group shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from faq.models import FaqGroup, FaqItem

    client.get("/faq/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/faq/").content.decode()
    assert "Как активировать франшизу?" in page
    assert not [q for q in queries if "faq_" in q["sql"]]

    item = FaqItem.objects.get(question="Как активировать франшизу?")
    item.question = "Как включить франшизу?"
    item.save()
    page = client.get("/faq/").content.decode()
    assert "Как включить франшизу?" in page
    assert "Как активировать франшизу?" not in page

    group = FaqGroup.objects.create(title="Новая группа", position=99)
    FaqItem.objects.create(group=group, question="Новый вопрос?", answer="Ответ.", position=1)
    assert "Новый вопрос?" in client.get("/faq/").content.decode()
    group.delete()
    assert "Новый вопрос?" not in client.get("/faq/").content.decode()
    item.delete()
    assert "Как включить франшизу?" not in client.get("/faq/").content.decode()
    # A search still reads the database.
    assert "ничего не найдено" in client.get("/faq/", {"q": "включить"}).content.decode()
