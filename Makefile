# Niryat: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint e2e bench translations messages clean

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Niryat needs Python 3.11 or newer (set PYTHON=python3.11).")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

translations: $(VENV)/.runtime
	$(PY) manage.py compile_translations

# Re-extract translatable strings into locale/hi (needs GNU gettext's xgettext).
messages: $(VENV)/.runtime
	$(PY) manage.py makemessages -l hi --no-location --ignore='.venv/*' --ignore='e2e/*' --ignore='bench/*' --ignore='tests/*'
	$(PY) manage.py compile_translations

setup: translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_trade_data --if-empty
	$(PY) manage.py seed_demo

# Demo mode: the marketplaces are the local fakes (fakes/), unless these are set already.
# Amazon takes photo addresses in https only; the fakes never fetch them.
DEMO_MARKETPLACES := AMAZON_SP_API_URL=$${AMAZON_SP_API_URL:-http://127.0.0.1:8701} \
	AMAZON_LWA_URL=$${AMAZON_LWA_URL:-http://127.0.0.1:8701} \
	FLIPKART_API_URL=$${FLIPKART_API_URL:-http://127.0.0.1:8702} \
	EBAY_API_URL=$${EBAY_API_URL:-http://127.0.0.1:8703} \
	ONDC_REGISTRY_URL=$${ONDC_REGISTRY_URL:-http://127.0.0.1:8704} \
	SITE_URL=$${SITE_URL:-https://$(HOST):$(PORT)} \
	DEMO_MODE=$${DEMO_MODE:-1}

# The fake marketplaces, the demo's listings and orders on them (pushed again: the fakes forget
# everything when they stop), then the web server, a task worker and an order fetch every minute
# beside it, and the ONDC catalogue's pushes to subscribed buyer apps every minute; Ctrl-C
# stops them all. The worker polls every second (db_worker's default --interval), well
# inside the 5 s ONDC allows between a select, init or confirm and its callback.
run: setup
	$(PY) -m fakes & fakes=$$!; \
	trap 'kill $$fakes 2>/dev/null' EXIT INT TERM; \
	export $(DEMO_MARKETPLACES); \
	$(PY) -m fakes --wait 30 && \
	$(PY) manage.py seed_demo --marketplaces --site http://$(HOST):$(PORT) || exit 1; \
	if [ "$$ONDC_REGISTRY_URL" = http://127.0.0.1:8704 ] && [ -z "$$ONDC_REGISTRY_ENCRYPTION_KEY" ]; then \
		export ONDC_REGISTRY_ENCRYPTION_KEY="$$($(PY) -m fakes --registry-key)"; fi; \
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	$(PY) manage.py channels_sync --every 60 > /dev/null & sync=$$!; \
	$(PY) manage.py ondc_push_catalogue --every 60 > /dev/null & ondc=$$!; \
	trap 'kill $$worker $$sync $$ondc $$fakes 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: $(VENV)/.dev translations lint
	NIRYAT_ENV=test $(VENV)/bin/pytest -n 2 -q

# Browser tests: Debian's chromium through Playwright, axe-core from npm.
e2e: $(VENV)/.dev translations
	cd e2e && npm ci --silent --no-audit --no-fund
	NIRYAT_ENV=test DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -q -p no:xdist e2e

# Every bench/bench_*.py; e.g. BENCH_ARGS='--only ondc_catalogue' BENCH_ONDC_ITEMS=10000 for the
# ONDC full refresh at 10,000 items alone; the dashboards at the whole state's scale on PostgreSQL
# (about 35 minutes on two cores): DATABASE_URL=postgres://... BENCH_DASH_SCALE=1
# BENCH_ARGS='--only dashboards --scale 0.05'; a month of payouts at the state's scale (1 M order
# lines, 3.6 M settlement lines; about 8 minutes): DATABASE_URL=postgres://...
# BENCH_PAYOUT_LINES=1000000 BENCH_ARGS='--only payouts'.
bench: $(VENV)/.dev translations
	NIRYAT_ENV=test $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles e2e/node_modules
