#!/usr/bin/env bash
# `make run`: the portal and its scheduler side by side, stopped together (SPEC §4).
# The portal (runserver) runs request tasks inline; the scheduler (manage.py run_scheduler) runs
# the beat schedule's jobs — reminders, overdue, restore, reports, registry inbox — on their own,
# without Redis. Ctrl-C, or a TERM to this script, stops both.
set -euo pipefail
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
# Links in SMS and e-mail point at this portal unless SITE_URL says otherwise.
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop EXIT INT TERM

"$PY" manage.py run_scheduler ${SCHEDULER_ARGS:-} &
pids+=($!)
"$PY" manage.py runserver --noreload "127.0.0.1:$PORT" &
pids+=($!)
# Either one ending ends the other.
wait -n || true
