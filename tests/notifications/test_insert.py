"""The set-based insert behind `notify_many` (a public-API INSERT … ON CONFLICT DO NOTHING
RETURNING built from Message._meta), and the import rule of the app: services queue work
through `notifications.queue`, the only importer of the tasks, which import only delivery."""

import ast
import datetime as dt
from pathlib import Path

from django.db import connection

from notifications import services
from notifications.models import Message

APP = Path(services.__file__).resolve().parent


def _row(n: int, key: str | None) -> Message:
    return Message(
        event="e", channel="sms", recipient=f"+7999000{n:04d}", body=f"b{n}", dedupe_key=key
    )


def test_insert_returns_only_new_rows_with_their_ids_across_statements(db, monkeypatch):
    Message.objects.create(event="e", channel="sms", recipient="x", dedupe_key="k2")
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: 2)
    rows = [_row(1, "k1"), _row(2, "k2"), _row(3, None), _row(4, "k4"), _row(5, "k5")]
    ids = services._insert_ignoring_duplicates(rows)
    assert {r.dedupe_key for r in rows if r.pk} == {"k1", None, "k4", "k5"}
    assert rows[1].pk is None  # the row already there is neither returned nor overwritten
    assert ids == {r.pk for r in rows if r.pk}
    stored = {m.pk: m for m in Message.objects.filter(pk__in=ids)}
    for row in rows:
        if row.pk:
            got = stored[row.pk]
            assert (got.recipient, got.body, got.dedupe_key, got.status) == (
                row.recipient,
                row.body,
                row.dedupe_key,
                Message.Status.QUEUED,
            )
            assert abs(got.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert Message.objects.get(dedupe_key="k2").recipient == "x"


def _imports(module: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_only_the_queue_imports_the_tasks_and_the_tasks_import_only_delivery():
    tasks = {".tasks", "notifications.tasks"}
    for name in ("services.py", "delivery.py"):
        assert not tasks & _imports(APP / name), name
    assert tasks & _imports(APP / "queue.py")
    assert not {".services", ".queue", "notifications.services", "notifications.queue"} & (
        _imports(APP / "tasks.py") | _imports(APP / "delivery.py")
    )
