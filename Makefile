# The two commands of the README: `make run` (portal + worker + beat with demo data) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
TEST_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres:postgres@127.0.0.1:5432/portal)
TEST_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: run test setup setup-dev migrate messages demo lint check-services clean loadtest throughput

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# A developer checkout runs with DEBUG on, so `manage.py <command>` works without exporting anything.
# Never committed; production sets its own environment (and portal.settings.production forces DEBUG off).
.env:
	printf '# Local development only (not committed). Production sets its own environment.\nDEBUG=true\n' > .env

$(VENV)/.deps: requirements.txt | $(PY) .env
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.deps-dev: requirements.txt requirements-dev.txt $(VENV)/.deps
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.deps
setup-dev: $(VENV)/.deps-dev

messages: $(VENV)/.deps
	cd locale/.. && env -u DJANGO_SETTINGS_MODULE $(VENV)/bin/django-admin compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

# Local run: SQLite under var/, embedded Celery broker under var/celery/ (no server needed).
run: export DEBUG ?= true
run: export PATH := $(abspath $(VENV))/bin:$(PATH)
run: $(VENV)/.deps messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	$(PY) manage.py signing_demo
	@echo ""
	@echo "Cổng dịch vụ công: http://127.0.0.1:8000   (Ctrl+C để dừng web, worker và beat)"
	$(VENV)/bin/honcho start -f Procfile

check-services: $(VENV)/.deps-dev
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) scripts/check_services.py

# The whole suite against PostgreSQL and Redis (never SQLite: portal.settings.test refuses it), in
# PYTEST_WORKERS processes (pytest-xdist; each has its own test database); PYTEST_WORKERS=0 runs in one.
PYTEST_WORKERS ?= 2
test: $(VENV)/.deps-dev messages check-services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DJANGO_SETTINGS_MODULE=portal.settings.test \
		$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The province's load (issue #21) against gunicorn on 127.0.0.1: 50 staff sessions and 200 citizens for
# LOADTEST_DURATION (5m) on DATABASE_URL's province (seed_demo + generate_province first); tests/load/run.sh.
loadtest: $(VENV)/.deps-dev messages
	VENV=$(VENV) bash tests/load/run.sh

throughput: $(VENV)/.deps-dev messages
	VENV=$(VENV) bash tests/load/wrk.sh

lint: $(VENV)/.deps-dev
	$(PY) -m ruff check .

clean:
	rm -rf var staticfiles .pytest_cache
