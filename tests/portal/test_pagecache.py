"""The page cache (dms_portal/pagecache.py, issue #19): an account page is kept per session and
forgotten at the first write, whichever way the write is made."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import INFO
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dms_portal import clock, pagecache
from policies.models import InsuredPerson

POLICIES = reverse("policies:my_policies")


def _rendered(client, path=POLICIES) -> tuple[str, bool]:
    """The page and whether it was rendered (it read the roster) rather than kept."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    read_roster = any(InsuredPerson._meta.db_table in q["sql"] for q in queries.captured_queries)
    return response.content.decode(), read_roster


@pytest.fixture
def ivanov(client, ivanov_user):
    client.force_login(ivanov_user)
    client.get(POLICIES)  # the first answer gives the browser its CSRF cookie…
    client.get(POLICIES)  # …and with it the page is kept
    return client


@pytest.mark.parametrize(
    "sql, writes",
    [
        ('SELECT "policies_insuredperson"."id" FROM "policies_insuredperson"', False),
        ("  select 1", False),
        ("SAVEPOINT s1", False),
        ("WITH t AS (SELECT 1) SELECT * FROM t", False),
        ('INSERT INTO "invoices_invoice" ("number") VALUES (%s)', True),
        ('UPDATE "policies_insuredperson" SET "last_name" = %s', True),
        ('DELETE FROM "invoices_invoiceline" WHERE id = 1', True),
        ("WITH moved AS (UPDATE invoices_invoice SET status = 'overdue') SELECT 1", True),
        ("COPY invoices_invoiceline FROM STDIN", True),
        ("TRUNCATE invoices_invoice", True),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "audit_readaccess" ("kind") VALUES (%s)', False),
        ('INSERT INTO "monitoring_taskoutcome" ("task") VALUES (%s)', False),
        ('INSERT INTO "axes_accesslog" ("username") VALUES (%s)', False),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s', False),
        ('UPDATE "accounts_user" SET "last_login" = %s, "email" = %s WHERE "id" = %s', True),
        ('UPDATE "accounts_user" SET "email" = %s WHERE "accounts_user"."id" = %s', True),
    ],
)
def test_which_statements_count_as_writes(db, sql, writes):
    assert pagecache.statement_writes(sql) is writes


def test_the_second_visit_is_kept_and_every_kind_of_write_forgets_it(ivanov, demo):
    page, rendered = _rendered(ivanov)
    assert not rendered, "the fixture's first visit rendered it; this one is kept"
    assert "Иванов" in page
    person = demo["ivanov"]

    person.last_name = "Иванов-Сохранённый"
    person.save(update_fields=["last_name"])
    page, rendered = _rendered(ivanov)
    assert rendered and "Иванов-Сохранённый" in page
    assert not _rendered(ivanov)[1]

    InsuredPerson.objects.filter(pk=person.pk).update(last_name="Иванов-Массовый")
    page, rendered = _rendered(ivanov)
    assert rendered and "Иванов-Массовый" in page

    table = InsuredPerson._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET last_name = %s WHERE id = %s',  # noqa: S608 - from _meta
            ["Иванов-Сырой", person.pk],
        )
    page, rendered = _rendered(ivanov)
    assert rendered and "Иванов-Сырой" in page


def test_writes_nobody_sees_on_a_page_keep_it(ivanov, ivanov_user):
    """The read log (written by every invoice opened) and the session's stamps."""
    from audit.services import read_access_log

    request = RequestFactory().get("/")
    request.user = ivanov_user
    read_access_log(request=request, kind="invoice_detail", target=ivanov_user)
    assert not _rendered(ivanov)[1]


def test_somebody_logging_in_keeps_the_pages(petrov_user, ivanov):
    """A login writes last_login and the login logs, which no page shows."""
    petrov = Client()
    response = petrov.post(
        reverse("accounts:login"), {"username": "+79990000003", "password": "Test-pass-2026!"}
    )
    assert response.status_code == 302
    assert not _rendered(ivanov)[1]


def _generation():
    from django.core.cache import cache

    return cache.get(pagecache.GENERATION_KEY)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_the_generation_on_when_it_commits(demo):
    """Another process sees a write only at commit: that is when its pages must go."""
    pagecache.generation_bump()
    person = demo["ivanov"]
    before = _generation()
    with transaction.atomic():
        person.last_name = "Первый"
        person.save(update_fields=["last_name"])
        person.last_name = "Второй"
        person.save(update_fields=["last_name"])
        assert _generation() == before
    after = _generation()
    assert after != before

    with transaction.atomic():
        try:
            with transaction.atomic():  # a rolled-back savepoint drops its callback…
                person.save(update_fields=["last_name"])
                raise RuntimeError
        except RuntimeError:
            pass
        person.save(update_fields=["last_name"])  # …and the next write registers it again
    assert _generation() != after

    rolled_back = _generation()
    try:
        with transaction.atomic():
            person.save(update_fields=["last_name"])
            raise RuntimeError
    except RuntimeError:
        pass
    assert _generation() == rolled_back, "nothing was written"


def test_each_session_has_its_own_page_with_its_own_csrf_token(ivanov, ivanov_user, petrov_user):
    other_session = Client()
    other_session.force_login(ivanov_user)
    other_session.get(POLICIES)
    page, _ = _rendered(other_session)
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert _unmask_cipher_token(token) == other_session.cookies["csrftoken"].value

    petrov = Client()
    petrov.force_login(petrov_user)
    petrov.get(POLICIES)
    page, _ = _rendered(petrov)
    assert "Петров" in page and "Иванов" not in page


def test_a_flash_message_is_shown_and_not_kept(ivanov):
    storage = CookieStorage(RequestFactory().get("/"))
    ivanov.cookies["messages"] = storage._encode([Message(INFO, "Проверка сообщения")])
    page, rendered = _rendered(ivanov)
    assert "Проверка сообщения" in page and rendered
    page, rendered = _rendered(ivanov)
    assert "Проверка сообщения" not in page and not rendered


def test_without_the_csrf_cookie_the_page_is_rendered_with_a_new_one(ivanov):
    del ivanov.cookies["csrftoken"]
    response = ivanov.get(POLICIES)
    secret = response.cookies["csrftoken"].value
    page = response.content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert _unmask_cipher_token(token) == secret


def test_anonymous_visitors_and_posts_are_never_served_from_it(ivanov, monkeypatch):
    """FAQ is public: a visitor without an account gets it rendered every time."""
    from faq import views as faq_views

    renders = []
    real = faq_views.faq_list_html
    monkeypatch.setattr(faq_views, "faq_list_html", lambda: renders.append(1) or real())
    faq = reverse("faq:index")
    anonymous = Client()
    anonymous.get(faq)
    anonymous.get(faq)
    assert len(renders) == 2
    ivanov.get(faq)
    ivanov.get(faq)
    assert len(renders) == 3, "the signed-in visitor's second visit is kept"
    # A POST goes to the view (here refused), never to a kept page.
    assert ivanov.post(POLICIES).status_code == 405


def test_a_new_moscow_day_renders_the_page_again(ivanov):
    today = clock.moscow_now()
    with time_machine.travel(today, tick=False):
        _rendered(ivanov)
        assert not _rendered(ivanov)[1]
    with time_machine.travel(today + dt.timedelta(days=1), tick=False):
        assert _rendered(ivanov)[1]


def test_it_is_off_with_a_per_process_cache_and_the_deploy_check_says_so(settings):
    settings.PAGE_CACHE_LOCAL_OK = False
    settings.PAGE_CACHE_SECONDS = 60
    assert not pagecache.enabled()
    from portal.checks import production_conveniences

    assert "portal.W002" in [m.id for m in production_conveniences(None)]
    settings.PAGE_CACHE_SECONDS = 0
    assert "portal.W002" not in [m.id for m in production_conveniences(None)]


def test_a_message_the_view_adds_while_rendering_is_not_kept(demo, ivanov_user, client):
    """«Счёт … нельзя оспорить» is said by the page it is asked on, and only then."""
    from invoices.models import Invoice
    from tests.feedback.factories import make_invoice

    invoice = make_invoice(demo["ivanov"], status=Invoice.Status.ANNULLED)
    client.force_login(ivanov_user)
    asked = f"{reverse('feedback:index')}?invoice={invoice.pk}&kind=service_dispute"
    client.get(asked)
    for _ in range(2):
        page, rendered = _rendered(client, asked)
        assert rendered and "нельзя оспорить" in page


def test_pages_are_rendered_when_the_cache_is_down(ivanov, demo, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set", down)
    page, rendered = _rendered(ivanov)
    assert rendered and "Иванов" in page
    person = demo["ivanov"]
    person.last_name = "Петров-Водкин"
    person.save(update_fields=["last_name"])  # the write is not refused for the cache's sake
    assert "Петров-Водкин" in _rendered(ivanov)[0]


def test_every_view_of_an_invoice_is_in_the_read_log_kept_or_not(demo, ivanov_user, client):
    from audit.models import ReadAccess
    from tests.feedback.factories import make_invoice

    own = make_invoice(demo["ivanov"])
    strangers = make_invoice(demo["petrov"])
    client.force_login(ivanov_user)
    url = reverse("invoices:detail", args=[own.pk])
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert not _rendered(client, url)[1], "the last one came from the cache"
    logged = ReadAccess.objects.filter(kind="invoice_detail", object_id=str(own.pk))
    assert logged.count() == 4
    assert client.get(reverse("invoices:detail", args=[strangers.pk])).status_code == 404
    assert client.get(reverse("invoices:detail", args=[strangers.pk])).status_code == 404
    assert not ReadAccess.objects.filter(object_id=str(strangers.pk)).exists()
