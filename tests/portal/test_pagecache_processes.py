"""The page cache across processes (issue #19): a web process keeps a page in Redis; a write
made by another process (a Celery worker, a management command, the admin in another gunicorn
worker) must make the next visit render it again. PostgreSQL and Redis, required in CI."""

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies.models import InsuredPerson

ROOT = Path(__file__).resolve().parents[2]
POLICIES = reverse("policies:my_policies")

# What another process does: the ORM's bulk update (no signals), as a task would.
WRITER = """
import django
django.setup()
from policies.models import InsuredPerson
InsuredPerson.objects.filter(pk={pk}).update(last_name="Иванов-Из-Воркера")
"""


def _rendered(client) -> tuple[str, bool]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(POLICIES).content.decode()
    return page, any(InsuredPerson._meta.db_table in q["sql"] for q in queries.captured_queries)


def _database_url() -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "postgres")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_write_in_another_process_forgets_the_kept_page(
    postgres, redis_url, settings, demo, ivanov_user, client
):
    cache_url = urllib.parse.urlsplit(redis_url)._replace(path="/14").geturl()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
    }
    settings.PAGE_CACHE_LOCAL_OK = False  # Redis is shared: no allowance needed
    cache.clear()
    client.force_login(ivanov_user)
    client.get(POLICIES)
    client.get(POLICIES)
    page, rendered = _rendered(client)
    assert not rendered and "Иванов Иван" in page

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dms_portal.settings.test",
        "DATABASE_URL": _database_url(),
        "CACHE_URL": cache_url,
    }
    code = WRITER.format(pk=demo["ivanov"].pk)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)

    page, rendered = _rendered(client)
    assert rendered and "Иванов-Из-Воркера" in page
    assert not _rendered(client)[1]
