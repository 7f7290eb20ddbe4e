# Sourced by tests/load/run.sh and tests/load/wrk.sh: gunicorn (gunicorn.conf.py, GUNICORN_WORKERS, default 2)
# bound to 127.0.0.1:$1, serving the checkout $3 (default: this one), its log in $2; `serving_stop` ends it;
# `cpu_ms` reads how much CPU the server, the database or the whole machine has used.
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

# CPU time (ms) used so far by the processes named $1 (the web workers: "gunicorn portal.wsgi"), by PostgreSQL
# ("postgres") or by the whole machine ("machine": the client, Redis and the rest included). Divided by the
# requests, what one request costs, whatever else the machine is doing (throughput on a shared machine varies
# from run to run). A process's own time and that of its children that have ended (a database connection closed
# between two readings, a gunicorn worker restarted) are both counted: fields 14-17 of /proc/PID/stat
# (counted after the command's name, which may hold spaces).
cpu_ms() {
  local pids
  if [ "$1" = machine ]; then
    awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%d", ($2 + $3 + $4 + $7 + $8) * 1000 / hz }' /proc/stat
    return
  fi
  if [ "$1" = postgres ]; then  # the server and its backends
    pids=$(pgrep -x postgres || true)
  else
    pids=$(pgrep -f "$1" || true)
  fi
  [ -z "$pids" ] && { echo 0; return; }
  for pid in $pids; do cat "/proc/$pid/stat" 2>/dev/null || true; done \
    | awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { printf "%d", t * 1000 / hz }'
}

# "CPU per request: web workers …, PostgreSQL …, whole machine …" from two readings (`cpu_reading`) and the
# number of requests served between them.
cpu_reading() {
  echo "$(cpu_ms "gunicorn portal.wsgi") $(cpu_ms postgres) $(cpu_ms machine)"
}
cpu_per_request() {  # before-reading after-reading requests
  awk -v b="$1" -v a="$2" -v n="$3" 'BEGIN {
    split(b, x, " "); split(a, y, " ")
    if (n > 0) printf "CPU per request: web workers %.1f ms, PostgreSQL %.1f ms, whole machine %.1f ms\n",
      (y[1] - x[1]) / n, (y[2] - x[2]) / n, (y[3] - x[3]) / n }'
}
