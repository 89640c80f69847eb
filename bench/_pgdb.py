"""A throwaway PostgreSQL database for one benchmark run, on the DATABASE_URL server.

The bench scripts never touch existing data: they create `bench_<name>_<pid>`, point Django
at it (test settings, tasks inline), and drop it at the end even when the run fails.
"""

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def throwaway_database(name: str) -> Iterator[Path]:
    """Create the database, set up Django on it, migrate; yield a temporary media folder."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must point to a PostgreSQL server")
    import psycopg

    sys.path.insert(0, str(ROOT))
    parsed = urlparse(url)
    db_name = f"bench_{name}_{os.getpid()}"
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db_name}"')
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{db_name}"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "dms_portal.settings.test"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            import django

            django.setup()
            from django.conf import settings
            from django.core.management import call_command

            settings.MEDIA_ROOT = Path(tmp) / "media"
            call_command("migrate", verbosity=0)
            yield Path(tmp)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
