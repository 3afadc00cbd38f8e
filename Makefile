# The two commands the README promises:
#   make demo   sets up everything and runs the demo on http://127.0.0.1:8000 (SQLite, in-process jobs)
#   make test   sets up everything and runs the whole test suite (the environment's DATABASE_URL/REDIS_URL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: demo test setup lint serve worker cron messages messages-compiled bench loadtest drills

DEMO_PORT ?= 8000

demo: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --port $(DEMO_PORT)
	$(MANAGE) build_open_data
	$(MANAGE) runserver 127.0.0.1:$(DEMO_PORT)

# The suite runs in parallel processes (pytest-xdist): each has its own test database and,
# counting up from REDIS_URL's, its own Redis database (cms/settings/test.py). Much of the
# suite waits on browsers, servers and workers, so 4 processes pay even on 2 cores.
# PYTEST_WORKERS=0 runs it in this one process.
PYTEST_WORKERS ?= 4
test: setup lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.package-lock.json messages-compiled

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) makemigrations --check --dry-run

# Speed and memory targets of the public pages (see bench/pages.py).
bench: setup
	$(BIN)/pip install --quiet --constraint constraints.txt ".[bench]"
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/debates.py
	$(BIN)/python bench/budgets.py
	$(BIN)/python bench/dashboard.py

# The load test against the real stack (bench/loadtest.py): needs DATABASE_URL (PostgreSQL,
# seeded with `manage.py seed_scale`, or pass LOADTEST_ARGS=--seed) and REDIS_URL.
loadtest: setup
	command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/pip install --quiet --constraint constraints.txt ".[bench]"
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

# Fault drills on the same stack (bench/drills.py): Redis stopped, PostgreSQL connections cut,
# an RQ worker killed mid-send, bursts of 500; the same DATABASE_URL and REDIS_URL (the drills
# start a redis-server of their own, so that they may stop it). DRILLS_ARGS=--only redis,...
drills: setup
	command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/drills.py $(DRILLS_ARGS)

worker: setup
	$(MANAGE) rqworker default mail --with-scheduler

# rq's cron scheduler (cms/cron.py): the mail sweeper every minute, and each app's schedule.py
# (open data bundles, the dashboards' weekly figures) daily.
cron: setup
	$(MANAGE) rqcron cms.cron

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt ".[test]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Each app keeps its own Korean catalogue (<app>/locale); compiled with Babel, no gettext needed.
messages-compiled: $(VENV)/.installed
	for dir in */locale; do $(BIN)/pybabel compile --domain django --directory $$dir --statistics || exit 1; done

# Refresh the catalogue after changing interface text (needs GNU gettext), then translate the new entries.
messages: setup
	for app in cms home participation budgeting voting opendata; do mkdir -p $$app/locale && (cd $$app && ../$(BIN)/python ../manage.py makemessages --locale ko --no-location) || exit 1; done
