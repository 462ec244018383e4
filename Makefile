# PlanHer developer commands. `make run` and `make test` work on a bare machine
# with Python 3.11: they create .venv and install the pinned requirements.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-all lint imports check schema client-check migrate seed worker beat clean bench-floor

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# A local secret key and DEBUG for development; never used in production.
.env:
	@echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "FIELD_ENCRYPTION_KEYS=$$($(PYTHON) -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" >> .env
	@echo "DEBUG=1" >> .env
	@echo "wrote .env with a fresh local SECRET_KEY, FIELD_ENCRYPTION_KEYS and DEBUG=1"

# Every manage.py call below reads .env first; variables already set win.
MANAGE = set -a; [ -f .env ] && . ./.env; set +a; $(PY) manage.py

migrate: install .env
	@mkdir -p var
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed

run: seed
	$(MANAGE) runserver $(HOST):$(PORT)

# The test command (CI runs it on SQLite and on PostgreSQL via DATABASE_URL).
test: install
	$(PY) -m pytest -m "not redis and not slow and not fuzz and not faults and not smtp" $(PYTEST_ARGS)

# Everything, including the slow sweeps and the Celery test against a real Redis.
test-all: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .

# The import contracts in .importlinter: apps import only downwards, no import
# cycle, and the pure modules (engine, ML, vocabulary) import no Django.
imports: install
	$(VENV)/bin/lint-imports

schema: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

# The schema as a frontend sees it: TypeScript types generated with
# openapi-typescript, and a typical flow type-checked against them (tsc --strict).
# Needs node and npm; versions are pinned in clients/typescript-check/package-lock.json.
client-check: install
	@mkdir -p var
	$(PY) manage.py spectacular --validate --fail-on-warn --format openapi-json --file var/openapi.json
	cd clients/typescript-check && npm ci --no-audit --no-fund && npm run check

worker: install .env
	set -a; . ./.env; set +a; $(VENV)/bin/celery -A planher worker -l info

beat: install .env
	set -a; . ./.env; set +a; $(VENV)/bin/celery -A planher beat -l info

# PlanHer beside the floor (a bare FastAPI /me), alternated wrk windows: README,
# "Serving speed". Needs wrk, PostgreSQL, Redis and the floor's venv (its README).
bench-floor: install
	$(VENV)/bin/python -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/floor_compare.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache staticfiles
