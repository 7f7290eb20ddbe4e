#!/usr/bin/env bash
# `make throughput`: many clients on one page at a time (issue #21's table): the catalogue search and the staff
# worklist, each for THROUGHPUT_DURATION (30s) with THROUGHPUT_CONNECTIONS (20) connections, on gunicorn
# (gunicorn.conf.py: 2 workers, bound to 127.0.0.1, DEBUG off), with wrk (Debian's package `wrk`). Prints
# req/s, p50/p95/p99 and the errors (for the worklist, anything but a 200 is one). Needs a database with a
# province and the benchmark catalogue:
#   manage.py seed_demo && manage.py generate_province --agencies 150 --count 1000000 && manage.py bench_search --keep
# Settings: DATABASE_URL, CACHE_URL (Redis, as in production), THROUGHPUT_PORT (8766), THROUGHPUT_STAFF (20
# officers' sessions, loadtest_setup), THROUGHPUT_APP_DIR (another checkout to serve instead, to compare two
# builds on one database; the sessions and data come from this one).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv}
PY="$PWD/$VENV/bin/python"
PORT=${THROUGHPUT_PORT:-8766}
OUT="$PWD/var/throughput"
APP=${THROUGHPUT_APP_DIR:-$PWD}
DURATION=${THROUGHPUT_DURATION:-30s}
CONNECTIONS=${THROUGHPUT_CONNECTIONS:-20}
command -v wrk >/dev/null || { echo "wrk không có: apt-get install wrk" >&2; exit 2; }
mkdir -p "$OUT"
export DEBUG=false ALLOWED_HOSTS=127.0.0.1 STATIC_ROOT="$OUT/static"
SECRET_KEY=${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}
export SECRET_KEY
(cd "$APP" && env -u DJANGO_SETTINGS_MODULE "$PY" manage.py collectstatic --noinput --verbosity 0)
env -u DJANGO_SETTINGS_MODULE "$PY" manage.py loadtest_setup --staff "${THROUGHPUT_STAFF:-20}" --output "$OUT/data.json"
"$PY" -c 'import json, sys; [print(r["session"], r["role"]) for r in json.load(open(sys.argv[1]))["staff"]]' \
  "$OUT/data.json" >"$OUT/sessions.txt"
. tests/load/serve.sh
cleanup() {
  serving_stop
  env -u DJANGO_SETTINGS_MODULE "$PY" manage.py loadtest_setup --clear "$OUT/data.json" || true
}
trap cleanup EXIT
serve "$PORT" "$OUT/gunicorn.log" "$APP"
timed() {  # label, then the wrk command: its result line, and the server CPU per request
  local label=$1 before line requests
  shift
  before=$(cpu_reading)
  line=$("$@" | tail -1)
  requests=${line#requests }; requests=${requests%%,*}
  echo "$label"
  echo "$line"
  cpu_per_request "$before" "$(cpu_reading)" "$requests"
}
# One pass over each page first, so both workers have read their templates and the cache holds what it keeps.
wrk -t2 -c"$CONNECTIONS" -d5s -s scripts/wrk_search.lua "http://127.0.0.1:$PORT" >/dev/null
WRK_SESSIONS="$OUT/sessions.txt" wrk -t2 -c"$CONNECTIONS" -d5s -s scripts/wrk_worklist.lua "http://127.0.0.1:$PORT" >/dev/null
timed "catalogue search (/thu-tuc/, $CONNECTIONS clients, $DURATION):" \
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk_search.lua "http://127.0.0.1:$PORT"
timed "staff worklist (/ho-so/can-xu-ly/, $CONNECTIONS clients, $DURATION):" \
  env WRK_SESSIONS="$OUT/sessions.txt" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk_worklist.lua \
  "http://127.0.0.1:$PORT"
timed "home page (reference, $CONNECTIONS clients, $DURATION):" \
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk_page.lua "http://127.0.0.1:$PORT"
