# MộtCửa — the two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
LOCKS := requirements/bootstrap.lock requirements.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCKS) | sha256sum | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format lock browser clean bench bench-volume bench-delivery bench-faults bench-signing bench-uploads venv install-check

# Installation never depends on the machine's pip nor on what the index publishes next: the
# pinned installer (requirements/bootstrap.lock) goes in first, then every package of the lock
# exactly as pinned, with hashes and without resolving again (--no-deps: the lock already holds
# every dependency, extras included), then `pip check` proves the set is consistent.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
$(STAMP): $(LOCKS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements/bootstrap.lock
	$(PIP_INSTALL) -r requirements.lock
	$(BIN)/python -m pip check --disable-pip-version-check
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

# Debian's Chromium drives the browser tests (Playwright cannot download its own here), and
# poppler's pdfsig checks the signed results with a tool independent of the signer (issue 15).
browser:
	@{ command -v chromium >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1; } || { \
	  echo "Installing Debian's chromium and poppler-utils for the tests…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium poppler-utils >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium poppler-utils >/dev/null; }; }

# The demo runs a real Celery worker (with beat) beside the web server: it delivers the outbox
# to the national portal's simulator within a second of each change. The broker needs no
# server: Kombu's file-system transport in var/broker (DEMO_BROKER=redis://127.0.0.1:6379/0 to
# use a Redis). The worker stops with the web server.
DEMO_BROKER ?= filesystem://
demo: $(STAMP)
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py demo_setup
	@echo "MộtCửa: http://$(HOST):$(PORT)/  ·  quản trị / admin: http://$(HOST):$(PORT)/admin/"
	@mkdir -p var
	@export CELERY_BROKER_URL="$(DEMO_BROKER)" SITE_URL="http://$(HOST):$(PORT)" LOG_FORMAT=text; \
	PYTHONPATH=src $(BIN)/celery -A motcua worker -B --concurrency 2 --loglevel WARNING \
	  --schedule var/celerybeat-schedule >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Celery worker (pid $$worker, log var/worker.log), broker $(DEMO_BROKER)"; \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

test: $(STAMP) browser
	$(BIN)/ruff check src
	$(BIN)/ruff format --check src
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Benchmarks run on PostgreSQL (the production engine), in a throw-away database.
BENCH_DB ?= motcua_bench_$(shell date +%s)
PGHOST ?= 127.0.0.1
bench: $(STAMP)
	@createdb -h $(PGHOST) -U postgres $(BENCH_DB)
	@trap 'dropdb -h $(PGHOST) -U postgres --if-exists $(BENCH_DB)' EXIT; \
	export DATABASE_URL=postgres://postgres@$(PGHOST):5432/$(BENCH_DB); \
	$(BIN)/python manage.py migrate --no-input -v0 && \
	$(BIN)/python manage.py bench_catalog_search --procedures 10000
	@createdb -h $(PGHOST) -U postgres $(BENCH_DB)_d
	@trap 'dropdb -h $(PGHOST) -U postgres --if-exists $(BENCH_DB)_d' EXIT; \
	export DATABASE_URL=postgres://postgres@$(PGHOST):5432/$(BENCH_DB)_d; \
	$(BIN)/python manage.py migrate --no-input -v0 && \
	$(BIN)/python manage.py bench_dossiers --seconds 15
	@$(MAKE) -s bench-delivery
	@$(MAKE) -s bench-faults
	@$(MAKE) -s bench-volume
	@$(MAKE) -s bench-signing
	@$(MAKE) -s bench-uploads

# Upload throughput (issue 15): MB/s of papers checked by content and stored on the local file
# system (no database, antivirus off).
bench-uploads: $(STAMP)
	$(BIN)/python manage.py bench_uploads --files 20

# Outbox delivery (issue 13): events/s with 1 and 2 dispatcher processes, the drain time of a
# BENCH_BACKLOG-event backlog, and pgbench's simple-update TPS of the same run as the yardstick.
BENCH_EVENTS ?= 20000
BENCH_BACKLOG ?= 100000
bench-delivery: $(STAMP)
	@createdb -h $(PGHOST) -U postgres $(BENCH_DB)_o
	@trap 'dropdb -h $(PGHOST) -U postgres --if-exists $(BENCH_DB)_o' EXIT; \
	export DATABASE_URL=postgres://postgres@$(PGHOST):5432/$(BENCH_DB)_o; \
	$(BIN)/python manage.py migrate --no-input -v0 && \
	$(BIN)/python manage.py bench_delivery --events $(BENCH_EVENTS) --backlog $(BENCH_BACKLOG)

# Signing (issue 15): documents signed per second with the local test CA, without timestamps
# and with both timestamps from the TSA simulator over HTTP, and verifications per second.
bench-signing: $(STAMP)
	@createdb -h $(PGHOST) -U postgres $(BENCH_DB)_s
	@trap 'dropdb -h $(PGHOST) -U postgres --if-exists $(BENCH_DB)_s' EXIT; \
	export DATABASE_URL=postgres://postgres@$(PGHOST):5432/$(BENCH_DB)_s; \
	$(BIN)/python manage.py migrate --no-input -v0 && \
	$(BIN)/python manage.py bench_signing --count 20

# The outage fault test at the issue's size (500 dossiers, 60 s; the default suite runs 100 and
# 10 s): real Celery workers, Redis 127.0.0.1:6379/13, the simulator over HTTP.
bench-faults: $(STAMP)
	DELIVERY_FAULTS_FULL=1 DATABASE_URL=postgres://postgres@$(PGHOST):5432/$(BENCH_DB)_f \
	  $(BIN)/python -m pytest -q -p no:cacheprovider src/motcua/dossiers/tests/test_delivery_outage.py

# The reads at data volume (issue 12): BENCH_VOLUME dossiers (1 M; `make bench
# BENCH_VOLUME=10000000` for 10 M) generated in a throw-away database, or with BENCH_VOLUME_DB
# in that database, kept, and measured again by later runs without generating.
BENCH_VOLUME ?= 1000000
BENCH_VOLUME_DB ?=
bench-volume: $(STAMP)
	@if [ -n "$(BENCH_VOLUME_DB)" ]; then \
	  createdb -h $(PGHOST) -U postgres $(BENCH_VOLUME_DB) 2>/dev/null || true; \
	  export DATABASE_URL=postgres://postgres@$(PGHOST):5432/$(BENCH_VOLUME_DB); \
	  $(BIN)/python manage.py migrate --no-input -v0 && \
	  $(BIN)/python manage.py bench_volume --dossiers $(BENCH_VOLUME) --keep --reuse; \
	else \
	  createdb -h $(PGHOST) -U postgres $(BENCH_DB)_v && \
	  trap 'dropdb -h $(PGHOST) -U postgres --if-exists $(BENCH_DB)_v' EXIT; \
	  export DATABASE_URL=postgres://postgres@$(PGHOST):5432/$(BENCH_DB)_v; \
	  $(BIN)/python manage.py migrate --no-input -v0 && \
	  $(BIN)/python manage.py bench_volume --dossiers $(BENCH_VOLUME); \
	fi

lint: $(STAMP)
	$(BIN)/ruff check --fix src
	$(BIN)/ruff format src

lock:
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --extra dev --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# What CI proves first: a clean clone of HEAD installs on this machine from an empty pip cache.
install-check:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	git clone -q . "$$tmp/src" && cd "$$tmp/src" && \
	PIP_CACHE_DIR="$$tmp/pip-cache" $(MAKE) -s venv PYTHON=$(PYTHON) && \
	.venv/bin/python manage.py check && echo "install-check: a clean clone installs from an empty pip cache"

clean:
	rm -rf $(VENV) var .pytest_cache
