"""Whole account pages kept per session and forgotten at the first write (issue #19).

A signed-in person opens the same few pages again and again («Мои полисы», «Мои счета», an
invoice, «Личные данные»…), and between two visits nothing they show has usually changed.
Rendering one costs 6–26 ms; the framework's own floor (session, user, middleware) 1.6 ms. So a
page, once rendered, is kept in the shared cache and served as it is until either

- anything is written to the database: every INSERT/UPDATE/DELETE that goes through Django's
  connections — ORM saves, bulk updates, raw SQL, data migrations, Celery tasks, the admin —
  passes `_watch_writes` (an execute wrapper on every connection), which sets a new random
  *generation*; a page is served only under the generation it was rendered in. Inside a
  transaction the bump happens when it commits, so a page rendered from data read before the
  commit can never be kept under the generation that follows it (and at once if the writing
  connection itself has served pages since its last bump, as a test's one transaction does).
  Writes that no cached page shows (sessions, the read log, login attempts, task outcomes, the
  last_login stamp) are declared by their apps (`ignore_writes_to`, `ignore_updates_of`) and
  do not count;
- the Moscow day changes (overdue invoices, penalties, «через N дней») — the day is in the key;
- `PAGE_CACHE_SECONDS` pass (one minute by default): a bound on what the two rules above cannot
  see, such as a payment's pending state running out on the clock.

The key holds the session key, the session's own data (a change of phone in progress shows
on «Личные данные»), the CSRF secret the page's forms carry, the host and the full path. A page
is kept only for a GET with a session and a valid CSRF cookie, and a 200 answer without
cookies or flash messages of its own (none pending before, none added by the view); anonymous
visitors are never served from it. It needs a cache shared by all processes (Redis,
`CACHE_URL`): with a per-process cache a write in one process would not reach another, so
`enabled()` refuses one unless the settings say it is the only process (`PAGE_CACHE_LOCAL_OK`,
tests).
"""

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse

from dms_portal import clock

log = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
KEY_PREFIX = "pagecache:page:"
# The session's last-seen stamp (accounts.middleware) changes every minute and shows nowhere.
SESSION_KEYS_IGNORED = frozenset({"accounts_last_seen"})
RESPONSE_MARKS = ("_csp",)
PROCESS_LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)

_ignored_tables: set[str] = set()
_ignored_columns: dict[str, frozenset[str]] = {}

# Statements that change no table. Anything else (INSERT, UPDATE, DELETE, COPY, TRUNCATE,
# DDL, a WITH that writes) counts as a write: better a page rendered once more than kept stale.
_READ_PREFIXES = (
    "SELECT",
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "SET ",
    "SHOW",
    "EXPLAIN",
    "BEGIN",
    "COMMIT",
    "PRAGMA",
    "ANALYZE",
)
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b", re.IGNORECASE)
_TARGET_TABLE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE
)
# The ORM's `save(update_fields=…)`: UPDATE "table" SET "a" = %s, "b" = %s WHERE …
_UPDATE_SET = re.compile(r'^\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*?)\s+WHERE\s', re.IGNORECASE | re.S)
_ASSIGNED = re.compile(r'"?(\w+)"?\s*=\s*%s')


def ignore_writes_to(*tables: str) -> None:
    """An app's tables whose rows no cached page shows (called from its AppConfig.ready)."""
    _ignored_tables.update(tables)


def ignore_updates_of(table: str, *columns: str) -> None:
    """An UPDATE of only these columns of the table changes no cached page (last_login)."""
    _ignored_columns[table] = frozenset(columns)


def _updates_only_ignored_columns(sql: str) -> bool:
    update = _UPDATE_SET.match(sql)
    if not update or update.group(1) not in _ignored_columns:
        return False
    assignments = update.group(2).split(",")
    assigned = [_ASSIGNED.fullmatch(a.strip()) for a in assignments]
    return all(a and a.group(1) in _ignored_columns[update.group(1)] for a in assigned)


def statement_writes(sql: str) -> bool:
    head = sql.lstrip()[:12].upper()
    if head.startswith(_READ_PREFIXES):
        return False
    if head.startswith("WITH"):
        return bool(_WRITE_WORD.search(sql))
    target = _TARGET_TABLE.match(sql)
    if target and target.group(1) in _ignored_tables:
        return False
    return not (_ignored_columns and _updates_only_ignored_columns(sql))


def generation_bump() -> None:
    """A new random generation (never a counter: a counter evicted and started again could
    come back to a generation some kept page was rendered in)."""
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), None)
    except Exception:  # the cache is down: the pages' expiry bounds what it may still hold
        log.warning("page cache generation not moved on", exc_info=True)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if statement_writes(sql):
        connection = context["connection"]
        if not connection.in_atomic_block:
            generation_bump()
            return result
        if getattr(connection, "pagecache_served", False):
            # This connection sees its own uncommitted write, and a page it serves again
            # before the commit must not be the one it kept before the write.
            connection.pagecache_served = False
            generation_bump()
        if not any(func is generation_bump for _, func, _ in connection.run_on_commit):
            # Everybody else sees the write at commit: once a transaction (again after a
            # rolled-back savepoint dropped the callback).
            connection.on_commit(generation_bump)
    return result


def _install(connection, **kwargs) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def watch_writes() -> None:
    """Every database connection of this process, now and later, moves the generation on when
    it writes (portal.apps.PortalConfig.ready: web, Celery and management commands alike)."""
    connection_created.connect(_install, dispatch_uid="pagecache-watch-writes")
    for connection in connections.all(initialized_only=True):
        _install(connection)


def enabled() -> bool:
    if settings.PAGE_CACHE_SECONDS <= 0:
        return False
    backend = settings.CACHES["default"]["BACKEND"]
    return backend not in PROCESS_LOCAL_BACKENDS or settings.PAGE_CACHE_LOCAL_OK


def _page_key(request) -> str | None:
    """None when this request may not be served from, or kept in, the cache."""
    user = request.user
    session = request.session
    csrf_secret = request.META.get("CSRF_COOKIE")
    if (
        request.method != "GET"
        or not user.is_authenticated
        or not session.session_key
        # A browser without the CSRF cookie gets a fresh secret with this answer; a kept page
        # carries the secret of the request that rendered it.
        or not csrf_secret
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or request.COOKIES.get(settings.CSRF_COOKIE_NAME) != csrf_secret
        or len(messages.get_messages(request))  # counting does not mark them shown
    ):
        return None
    session_data = sorted((k, repr(v)) for k, v in session.items() if k not in SESSION_KEYS_IGNORED)
    parts = (
        session.session_key,
        repr(session_data),
        csrf_secret,
        str(user.pk),
        request.get_host(),
        request.get_full_path(),
        clock.moscow_today().isoformat(),
    )
    return KEY_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _keepable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A message the view added while rendering (shown or left for the next page).
        and not len(messages.get_messages(request))
    )


def serve(request, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The page `render()` would give, from the cache when it was rendered for this session
    in the current generation."""
    if not enabled():
        return render()
    key = _page_key(request)
    if key is None:
        return render()
    connections[DEFAULT_DB_ALIAS].pagecache_served = True
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:  # first use, or evicted: start one (another process may win)
            cache.add(GENERATION_KEY, secrets.token_hex(8), None)
            generation = cache.get(GENERATION_KEY)
    except Exception:  # the cache is down: pages are rendered as if it were off
        log.warning("page cache unavailable", exc_info=True)
        return render()
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        _, status, headers, marks, content = kept
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        for name, value in marks.items():
            setattr(response, name, value)
        return response
    response = render()
    if hasattr(response, "render"):
        response.render()
    if _keepable(request, response):
        # What middleware reads from the response besides its headers: django-csp's
        # per-view changes («Клиники» adds the map's tile server to img-src).
        marks = {k: v for k, v in vars(response).items() if k.startswith(RESPONSE_MARKS)}
        page = (generation, response.status_code, list(response.items()), marks, response.content)
        try:
            cache.set(key, page, settings.PAGE_CACHE_SECONDS)
        except Exception:
            log.warning("page not kept", exc_info=True)
    return response


def per_session(view):
    """`serve` for a whole view (under login_required: the view's own checks come first)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve(request, lambda: view(request, *args, **kwargs))

    return wrapper
