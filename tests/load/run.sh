#!/usr/bin/env bash
# `make loadtest`: the province's load on a real server (issue #21). Starts gunicorn (gunicorn.conf.py, 2 workers,
# bound to 127.0.0.1 only, DEBUG off), writes the staff sessions and codes (manage.py loadtest_setup), runs
# tests/load/locustfile.py headless for LOADTEST_DURATION, prints the table (throughput, median/p95 per page,
# failures), then stops gunicorn and deletes the sessions. Needs a database with a province:
#   manage.py seed_demo && manage.py generate_province --agencies 150 --count 300000
# Settings: DATABASE_URL (and CACHE_URL, CELERY_BROKER_URL as in production), LOADTEST_DURATION (5m),
# LOADTEST_STAFF (50), LOADTEST_CITIZENS (200), LOADTEST_WAIT ("0.5,2" s of think time), LOADTEST_PORT (8765),
# LOADTEST_OUT (var/loadtest: CSV files, gunicorn's log, report.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
PORT=${LOADTEST_PORT:-8765}
OUT=${LOADTEST_OUT:-var/loadtest}
STAFF=${LOADTEST_STAFF:-50}
CITIZENS=${LOADTEST_CITIZENS:-200}
mkdir -p "$OUT"
export DEBUG=false ALLOWED_HOSTS=127.0.0.1 STATIC_ROOT="$OUT/static"
SECRET_KEY=${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}
export SECRET_KEY
env -u DJANGO_SETTINGS_MODULE "$PY" manage.py collectstatic --noinput --verbosity 0
env -u DJANGO_SETTINGS_MODULE "$PY" manage.py loadtest_setup --staff "$STAFF" --output "$OUT/data.json"
. tests/load/serve.sh
cleanup() {
  serving_stop
  env -u DJANGO_SETTINGS_MODULE "$PY" manage.py loadtest_setup --clear "$OUT/data.json" || true
}
trap cleanup EXIT
serve "$PORT" "$OUT/gunicorn.log"
before=$(cpu_reading)
LOADTEST_DATA="$OUT/data.json" LOADTEST_STAFF="$STAFF" LOADTEST_CITIZENS="$CITIZENS" \
  "$VENV/bin/locust" -f tests/load/locustfile.py --headless -H "http://127.0.0.1:$PORT" \
  --users $((STAFF + CITIZENS)) --spawn-rate 50 --run-time "${LOADTEST_DURATION:-5m}" \
  --csv "$OUT/run" --only-summary --loglevel WARNING 2>&1 | tee "$OUT/report.txt"
# The requests locust made (its CSV's "Aggregated" row), and what each cost the server, the database and the machine
# (locust itself included).
requests=$(awk -F, '$2 == "Aggregated" { print $3 }' "$OUT/run_stats.csv")
cpu_per_request "$before" "$(cpu_reading)" "${requests:-0}" | tee -a "$OUT/report.txt"
