"""A request id for every request, carried into the Celery tasks the request queues.

- The middleware takes a sane incoming `X-Request-ID` (the proxy's, e.g. nginx `$request_id`)
  or makes one, puts it on `request.request_id`, on the response header and in the context
  variable that log records read (dms_portal.logs).
- Publishing a task adds the current id to the message headers (`before_task_publish`); the
  worker puts it back into the context variable for the task's run (`task_prerun`), so the
  task's log lines, and the tasks it queues in turn, carry the id of the request that started
  it. Inline (eager) tasks run inside the request's context and simply keep its id.

Costs per request: one regular-expression match or 128 random bits, a context-variable write
and reset, one response header.
"""

import random
import re

from celery.signals import before_task_publish, task_postrun, task_prerun

from .logs import request_id_var, task_var

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
TASK_HEADER = "request_id"
# Letters, digits and . _ : - only (nothing that could forge a log line or a header), 8–128 long:
# UUIDs with or without dashes, nginx's 32 hex digits, most tracing ids.
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def request_id_from(value: str | None) -> str:
    if value and _SANE.fullmatch(value):
        return value
    # 128 random bits as 32 hex digits. Not uuid4: that reads the OS's random source, a system
    # call per request (~10x the cost); an id is no secret (the response shows it), it only has
    # to be unique, and `random` reseeds in each forked gunicorn worker.
    return f"{random.getrandbits(128):032x}"  # noqa: S311


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get(META_KEY))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


@before_task_publish.connect(dispatch_uid="dms_portal.requestid.publish")
def _add_request_id(headers=None, **kwargs):
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _from_message(task) -> str | None:
    request = task.request
    # Custom message headers become attributes of the worker's task request; a task applied
    # with explicit headers (Task.apply(headers=...)) keeps them under `headers`.
    value = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        TASK_HEADER
    )
    return value if isinstance(value, str) and _SANE.fullmatch(value) else None


# Tokens to undo exactly what task_prerun set, by task id (a task may run inline inside
# another task or a request, each with its own values to restore).
_tokens: dict[str, tuple] = {}


@task_prerun.connect(dispatch_uid="dms_portal.requestid.prerun")
def _task_started(task_id=None, task=None, **kwargs):
    if task is None or task_id is None:
        return
    request_id = _from_message(task)
    request_token = request_id_var.set(request_id) if request_id else None
    task_token = task_var.set((task_id, task.name))
    _tokens[task_id] = (request_token, task_token)


@task_postrun.connect(dispatch_uid="dms_portal.requestid.postrun")
def _task_finished(task_id=None, **kwargs):
    tokens = _tokens.pop(task_id, None)
    if tokens is None:
        return
    request_token, task_token = tokens
    try:
        task_var.reset(task_token)
        if request_token is not None:
            request_id_var.reset(request_token)
    except ValueError:
        # Finished in another context than it started (a pool that hops threads): clear.
        task_var.set(None)
        request_id_var.set(None)
