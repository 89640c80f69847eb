"""Structured logs: every record carries the id of the request (or the task, and the request
that queued it) it was written for, and production writes one JSON object per line.

The ids live in context variables, not thread locals: a request's id stays with the code that
runs for it (an inline task included) and never leaks into another thread's request.
`dms_portal.requestid` sets them for requests and Celery tasks.
"""

import contextvars
import datetime as dt
import json
import logging

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
# (task id, task name) while a Celery task runs.
task_var: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "task", default=None
)


class ContextFilter(logging.Filter):
    """Puts request_id, task_id and task_name on every record the handler sees ("-" when none),
    so both formatters below can name them."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id is None:
            # django.request logs a 4xx/5xx answer after the middleware has returned (and so
            # reset the variable); the record still carries the request itself.
            request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id or "-"
        task = task_var.get()
        record.task_id, record.task_name = task if task else ("-", "-")
        return True


# Attributes of every LogRecord; anything else on a record came in through `extra=`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "task_name",
    "request",  # django.request's HttpRequest: not serialisable, and its id is already there
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the ids, the
    traceback if any, and whatever the caller passed in `extra=` (repr'd if not JSON)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "task_id", "task_name"):
            value = getattr(record, key, "-")
            if value and value != "-":
                entry[key] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=repr)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(task_name)s] %(message)s"


def logging_config(*, level: str, fmt: str) -> dict:
    """settings.LOGGING: console (stdout) only, JSON or text; both carry the ids."""
    formatter = (
        {"()": "dms_portal.logs.JsonFormatter"} if fmt == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "dms_portal.logs.ContextFilter"}},
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": "main",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            # WeasyPrint logs every rendering step at INFO; only its warnings are worth a line.
            "weasyprint": {"level": "WARNING"},
        },
    }
