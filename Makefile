# The two commands of README.md: `make run` (whole system on the embedded default) and
# `make test` (whole suite on a throwaway PostgreSQL, then the end-to-end flows marked `embedded`
# again on the embedded default: SQLite + the file-system broker). Both create the virtualenv if needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
EMBEDDED_PYTEST_ARGS ?=

.PHONY: run test install lint fmt migrate backup restore bench bench-sync bench-events bench-admin bench-bulk rush clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m config.runall

# Both passes always run; the target fails if either fails (the second also fails when it selects
# no test: pytest's exit code 5).
test: $(STAMP)
	status=0; \
	$(PY) -m config.devservices --redis --chromium -- $(PY) -m pytest $(PYTEST_ARGS) || status=$$?; \
	$(PY) -m config.devservices --embedded -- $(PY) -m pytest -m embedded $(EMBEDDED_PYTEST_ARGS) || status=$$?; \
	exit $$status

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrate: $(STAMP)
	$(PY) manage.py migrate

# Backups (README "Backups"): `make backup [BACKUP=path]` writes var/backups/<db>-<time>.dump|.sqlite3
# (pg_dump, or SQLite's online backup API); `make restore BACKUP=path` puts one back (stop `make run` first).
# DEBUG defaults to 1 as under `make run` (the embedded set-up's key in var/); set SECRET_KEY in production.
BACKUP ?=
backup: $(STAMP)
	DEBUG=$${DEBUG:-1} $(PY) manage.py db_backup $(if $(BACKUP),--output $(BACKUP))

restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<file>"; exit 2; }
	DEBUG=$${DEBUG:-1} $(PY) manage.py db_restore --noinput $(BACKUP)

# The holiday rush (bench/rush/README.md): `make rush SEED=n [FAULTS=off] [RUSH_ARGS=...]` writes
# bench/results/rush-<n>.json (rush-<n>-nofaults.json with FAULTS=off).
SEED ?= 1
FAULTS ?= on
RUSH_ARGS ?=
rush: $(STAMP)
	$(PY) -m config.devservices --redis -- $(PY) -m bench.rush --seed $(SEED) --faults $(FAULTS) $(RUSH_ARGS)

# Benchmarks (bench/run_all.py): stock service, push, coalescing, webhook intake -> bench/results/bench.json.
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m config.devservices --redis -- $(PY) -m bench.run_all $(BENCH_ARGS)

# The sync engine end to end (bench/bench_channels.py): N fake channels, gunicorn, two Celery
# workers on Redis -> sale-to-all-channels latency and orders ingested per second, bench/results/sync.json.
SYNC_ARGS ?=
bench-sync: $(STAMP)
	$(PY) -m config.devservices --redis -- $(PY) -m bench.bench_channels $(SYNC_ARGS)

# Events to webhooks (bench/bench_events.py): stock changes -> signed deliveries through Celery
# workers on Redis -> change-to-webhook lag and events delivered per second, bench/results/events.json.
EVENTS_BENCH_ARGS ?=
bench-events: $(STAMP)
	$(PY) -m config.devservices --redis -- $(PY) -m bench.bench_events $(EVENTS_BENCH_ARGS)

# Bulk API (bench/bench_bulk.py), on SQLite then PostgreSQL: a 100,000-row catalog import (seconds,
# peak memory), 10,000 SKUs' availability by POST (requests, seconds), POST /stock/bulk (lines/s)
# -> bench/results/bulk-sqlite.json and bulk-postgresql.json.
BULK_BENCH_ARGS ?=
bench-bulk: $(STAMP)
	$(PY) -m config.devservices --embedded -- $(PY) -m bench.bench_bulk $(BULK_BENCH_ARGS)
	$(PY) -m config.devservices --redis -- $(PY) -m bench.bench_bulk $(BULK_BENCH_ARGS)

# The admin at scale (bench/bench_admin.py): 100,000 SKUs, 1,000,000 movements, 200,000 orders ->
# every admin list and the dashboard timed, slowest first, bench/results/admin.json.
ADMIN_BENCH_ARGS ?=
bench-admin: $(STAMP)
	$(PY) -m config.devservices -- $(PY) -m bench.bench_admin $(ADMIN_BENCH_ARGS)

clean:
	rm -rf var
