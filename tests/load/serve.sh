# Sourced by tests/load/run.sh and tests/load/wrk.sh: gunicorn (gunicorn.conf.py, GUNICORN_WORKERS, default 2)
# bound to 127.0.0.1:$1, serving the checkout $3 (default: this one), its log in $2; `serving_stop` ends it.
SERVING=
serve() {
  local port=$1 log=$2 app=${3:-$PWD} bin
  bin="$(cd "$VENV" && pwd)/bin/gunicorn"
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "127.0.0.1:$port is already taken: stop what runs there first" >&2
    return 1
  fi
  (cd "$app" && GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS=${GUNICORN_WORKERS:-2} \
    env -u DJANGO_SETTINGS_MODULE "$bin" portal.wsgi >"$log" 2>&1) &
  SERVING=$!
  for _ in $(seq 60); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 1
  done
  echo "gunicorn did not answer on 127.0.0.1:$port (see $log)" >&2
  return 1
}

serving_stop() {
  [ -n "${SERVING:-}" ] || return 0
  pkill -P "$SERVING" 2>/dev/null || true
  kill "$SERVING" 2>/dev/null || true
  wait "$SERVING" 2>/dev/null || true
}
