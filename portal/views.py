from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from monitoring.health import beat_state, storage_state


@require_GET
@never_cache
def healthz(request):
    """200 when the database answers; reports the broker ("inline" when tasks run inline), the
    media storage and beat's last heartbeat too, as information: none of them changes the
    status, so a load balancer never takes the web out for a broken broker or a late beat."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down" here
        database = f"error: {exc.__class__.__name__}"
    broker = "inline"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            from dms_portal.celery import app

            with app.connection_for_write() as conn:
                # One quick try: a down broker must not make the probe itself time out.
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            broker = "ok"
        except Exception as exc:  # noqa: BLE001
            broker = f"error: {exc.__class__.__name__}"
    status = 200 if database == "ok" else 503
    body = {"status": "ok" if status == 200 else "error", "database": database, "broker": broker}
    body["storage"] = storage_state()
    if database == "ok":
        try:
            body["beat"] = beat_state()
        except Exception as exc:  # noqa: BLE001 - information only (e.g. before migrations)
            body["beat"] = {"state": f"error: {exc.__class__.__name__}"}
    return JsonResponse(body, status=status)


def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)
