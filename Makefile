# Meridian — the README's two commands are `make run` and `make test`.
# With DATABASE_URL set, everything uses that server; otherwise the embedded PostgreSQL in var/.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
EMBEDDED := $(PY) -m config.embedded_db
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

export XDG_RUNTIME_DIR ?= $(CURDIR)/var/run

.PHONY: help install run serve test test-tools chromium check lint format migrate demo stop db-status clean lock

help:
	@echo "make run    set up, load demo content, serve http://$(HOST):$(PORT)/"
	@echo "make test   set up and run the whole suite"
	@echo "make stop   stop the embedded PostgreSQL"

$(VENV)/.installed: requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

run: install
	@$(EMBEDDED) run -- $(MAKE) --no-print-directory serve

serve:
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@$(PY) manage.py admin_hint
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install test-tools
	@$(EMBEDDED) run -- $(MAKE) --no-print-directory check

# Browser tests need Debian's Chromium and the Nu HTML checker (npm vnu-jar, run on Java).
test-tools: node_modules/.installed
	@command -v chromium >/dev/null || $(MAKE) --no-print-directory chromium

chromium:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium at /usr/bin/chromium (or CHROMIUM_PATH):"; \
	  echo "  sudo apt-get install chromium"; exit 1; \
	fi

node_modules/.installed: package.json package-lock.json
	@command -v java >/dev/null || { echo "The Nu HTML checker needs Java 17+ (apt-get install default-jre-headless)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

check: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest --ignore=tests/browser $(PYTEST_ARGS)
	@# Live-server tests commit and flush the database: they run on their own, after the rest.
	$(PY) -m pytest tests/browser $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

stop:
	@$(EMBEDDED) stop

db-status:
	@$(EMBEDDED) status

# Operations (README "Operate"). smoke: the container start-up path run natively against
# PostgreSQL on 127.0.0.1:5432 and Redis on :6379 (scripts/smoke.sh). backup/restore: the
# database (pg_dump custom format) and media in one archive under backups/ (scripts/backup.py).
.PHONY: smoke backup restore

smoke: install
	scripts/smoke.sh

backup: install
	@$(EMBEDDED) run -- $(PY) scripts/backup.py backup

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/meridian-<time>.tar"; exit 2; }
	@$(EMBEDDED) run -- $(PY) scripts/backup.py restore "$(FILE)"

# Re-resolve the pinned versions from pyproject.toml (needs the registry).
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	$(PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["dependencies"]))' > var/lock-base.in
	$(PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["optional-dependencies"]["dev"]))' > var/lock-dev.in
	var/lock-venv/bin/pip install --quiet -r var/lock-base.in
	var/lock-venv/bin/pip freeze > requirements.lock
	var/lock-venv/bin/pip install --quiet -r var/lock-base.in -r var/lock-dev.in
	(echo "-r requirements.lock"; var/lock-venv/bin/pip freeze | grep -vxFf requirements.lock) \
	  > requirements-dev.lock

clean: stop
	rm -rf $(VENV) var

# The benchmark (bench/run.py, docs/performance.md): N articles, DURATION seconds per measure,
# in dedicated databases; results in bench/results/ (git-ignored).
.PHONY: bench bench-smoke
N        ?= 20000
DURATION ?= 10

bench: install
	@$(EMBEDDED) run -- $(PY) -m bench.run --n $(N) --duration $(DURATION)

bench-smoke: install
	@$(EMBEDDED) run -- $(PY) -m bench.run --smoke
