# TechMarket — the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
ECHARTS_VERSION := 6.1.0
VENDOR := src/techmarket/static/vendor
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/techmarket
PYTEST_ARGS ?=

.PHONY: demo test install install-dev assets system-deps messages makemessages test-sqlite test-postgres lint schema hooks bench bench-match bench-freshness bench-trading bench-subsidies bench-statistics clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed assets messages

install-dev: $(VENV)/.installed-dev assets messages

# Apache ECharts is fetched from the npm registry at install time (pinned); never committed, never a CDN.
assets: $(VENDOR)/echarts/echarts.min.js

$(VENDOR)/echarts/echarts.min.js:
	@mkdir -p $(VENDOR)/echarts && tmp=$$(mktemp -d) && \
	  (cd $$tmp && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null) && \
	  tar -xzf $$tmp/echarts-$(ECHARTS_VERSION).tgz -C $$tmp package/dist/echarts.min.js package/LICENSE && \
	  cp $$tmp/package/dist/echarts.min.js $$tmp/package/LICENSE $(VENDOR)/echarts/ && rm -rf $$tmp

# Compiled message catalogues (.mo) are built from the committed .po files.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-deps
	cd src/techmarket && ../../$(BIN)/django-admin compilemessages --ignore=.venv -v 0

# Re-extract the catalogues after changing user-facing strings (then translate the new English entries).
makemessages: $(VENV)/.installed
	cd src/techmarket && ../../$(BIN)/django-admin makemessages -l en -l zh_Hans -e html,txt,py \
	  --ignore=tests --ignore=migrations --no-obsolete --add-location=file

# Debian packages the tests need: Chromium for the browser journeys, CJK fonts for pages and PDFs,
# gettext for the catalogues.
system-deps:
	@missing=""; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  fi

demo: install
	DEBUG=1 PORT=$(PORT) $(BIN)/techmarket demo --port $(PORT)

test: system-deps install-dev
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)'.rsplit('/',1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable at $(TEST_DATABASE_URL): skipped the PostgreSQL run"; fi

test-sqlite:
	@echo "== Test suite on SQLite =="
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-postgres:
	@echo "== Test suite on PostgreSQL =="
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# PYTHONPATH=src: the checks read this checkout's code even when the virtualenv was installed from another.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src
	PYTHONPATH=src $(BIN)/techmarket makemigrations --check --dry-run
	PYTHONPATH=src $(BIN)/techmarket openapi-schema --check
	PYTHONPATH=src $(BIN)/lint-imports --no-cache

# Regenerate the committed OpenAPI document (docs/api/openapi.yaml) after changing the API.
schema: $(VENV)/.installed
	PYTHONPATH=src $(BIN)/techmarket openapi-schema

# Install the git pre-commit hook (.pre-commit-config.yaml: local hooks only, nothing fetched at commit time).
hooks: install-dev
	$(BIN)/pre-commit install

bench: install-dev
	$(BIN)/python benchmarks/run.py

# Demand → achievement matching through `techmarket match-batch` against the shared benchmark and
# same-run BM25 baselines (21k, 110k, 1M records; ~25 minutes); writes its section of docs/benchmarks.md.
bench-match: install-dev
	$(BIN)/python benchmarks/matching/run.py

# Freshness of matching under `gunicorn -w 3` (issue 3: a change matchable by every worker within 60 s):
# SQLite, then PostgreSQL when reachable (database tm_freshness, dropped and created); ~6 minutes;
# writes its block of docs/benchmarks.md.
bench-freshness: FRESHNESS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tm_freshness
bench-freshness: install-dev
	$(BIN)/python benchmarks/matching/freshness.py
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(FRESHNESS_DATABASE_URL)'.rsplit('/',1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(BIN)/python benchmarks/matching/freshness.py --database-url $(FRESHNESS_DATABASE_URL); \
	else echo "PostgreSQL not reachable at $(FRESHNESS_DATABASE_URL): skipped the PostgreSQL run"; fi

# Bids on one hot auction through services.place_bid with 50 concurrent bidders on PostgreSQL (database
# test_tm_bench_trading, created and dropped by pytest), against the same run's plain single-row UPDATE
# rate; prints accepted bids/s, p50/p99 latency and the floor's pass/fail (docs/benchmarks.md).
bench-trading: BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tm_bench_trading
bench-trading: install-dev
	TEST_DATABASE_URL=$(BENCH_DATABASE_URL) PYTHONPATH=src $(BIN)/pytest -q -s -p no:randomly -p no:xdist \
	  benchmarks/trading/bench_bids.py

# `techmarket subsidy-calc` on 1,000,000 generated contracts (seeded) against reading the same CSV alone
# with the csv module, same run: time and peak memory; no database (DATABASE_URL points nowhere);
# writes its block of docs/benchmarks.md. BENCH_ROWS, BENCH_SEED, BENCH_REPEAT change the run.
bench-subsidies: install-dev
	$(BIN)/python benchmarks/subsidies/bench_calc.py
# The statistics dashboard's drill-down reads at 1,000,000 registered contracts (generated, seeded): SQLite
# (a file under var/bench/statistics/, production settings), then PostgreSQL when reachable (database
# tm_bench_statistics, dropped and created); p50/p95 per read against a same-run primary-key lookup and an
# index-range COUNT; ~30 minutes; results in var/bench/statistics/<vendor>.md (docs/benchmarks.md).
bench-statistics: STATISTICS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tm_bench_statistics
bench-statistics: STATISTICS_CONTRACTS ?= 1000000
bench-statistics: install-dev
	PYTHONPATH=src $(BIN)/python benchmarks/statistics/bench_drilldown.py --contracts $(STATISTICS_CONTRACTS)
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(STATISTICS_DATABASE_URL)'.rsplit('/',1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  PYTHONPATH=src $(BIN)/python benchmarks/statistics/bench_drilldown.py --contracts $(STATISTICS_CONTRACTS) \
	    --database-url $(STATISTICS_DATABASE_URL); \
	else echo "PostgreSQL not reachable at $(STATISTICS_DATABASE_URL): skipped the PostgreSQL run"; fi

clean:
	rm -rf $(VENV) var $(VENDOR)
