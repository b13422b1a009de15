# The two commands of README.md: `make run` (whole system on the embedded default) and
# `make test` (whole suite on a throwaway PostgreSQL). Both create the virtualenv if needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test install lint fmt migrate bench bench-sync bench-admin rush clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m config.runall

test: $(STAMP)
	$(PY) -m config.devservices --redis --chromium -- $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrate: $(STAMP)
	$(PY) manage.py migrate

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

# The admin at scale (bench/bench_admin.py): 100,000 SKUs, 1,000,000 movements, 200,000 orders ->
# every admin list and the dashboard timed, slowest first, bench/results/admin.json.
ADMIN_BENCH_ARGS ?=
bench-admin: $(STAMP)
	$(PY) -m config.devservices -- $(PY) -m bench.bench_admin $(ADMIN_BENCH_ARGS)

clean:
	rm -rf var
