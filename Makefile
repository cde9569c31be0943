# The two commands a newcomer needs are `make run` and `make test`; both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core, from the npm registry, for the browser tests' accessibility checks.
NODE_STAMP := node_modules/.installed
CHROMIUM := /usr/bin/chromium
# Tests keep their state (secret key, server databases) inside the checkout, never in $HOME.
TEST_ENV := CLUNEAL_DATA_DIR=$(CURDIR)/var/test
# The database tests run again on PostgreSQL (on the development and CI machines: trust auth).
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# Already covering both databases on their own (parametrised), or SQLite-specific by design.
PG_SKIP := --ignore=tests/web/test_backup.py --ignore=tests/web/records/test_durability.py
# Test processes: one per core (`make test TEST_WORKERS=` runs the tests in one process).
TEST_WORKERS ?= -n auto
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck contracts unit postgres browser bench setup chromium axe screenshot clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# The versions are pinned in package-lock.json; `npm ci` installs exactly them, afresh.
axe: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for axe-core (Node.js 18 or later)"; exit 2; }
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE_STAMP)

run: setup
	CLUNEAL_SECURE_COOKIES=$${CLUNEAL_SECURE_COOKIES:-false} $(BIN)/cluneal serve --host $(HOST) --port $(PORT) --demo

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy -p cluneal.core -p cluneal.knowledge -p cluneal.interop -p cluneal.sqlonfhir \
		-p cluneal.registry -m cluneal.files -m cluneal.jsontext -m cluneal.validation

contracts: setup
	$(BIN)/lint-imports

unit: setup
	$(TEST_ENV) $(BIN)/pytest -m "not browser" $(TEST_WORKERS)

postgres: setup
	$(TEST_ENV) DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" tests/web $(PG_SKIP) $(TEST_WORKERS)

browser: setup chromium axe
	$(TEST_ENV) $(BIN)/pytest -m browser

# The unit and database tests run on every core (pytest-xdist; each worker has a test database
# of its own). Browser tests run in a process of their own: Playwright's event loop and Django's
# database access do not share a thread.
test: setup chromium axe lint typecheck contracts
	$(TEST_ENV) $(BIN)/pytest -m "not browser" $(TEST_WORKERS)
	$(TEST_ENV) DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" tests/web $(PG_SKIP) $(TEST_WORKERS)
	$(TEST_ENV) $(BIN)/pytest -m browser

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

screenshot: setup chromium
	$(BIN)/python docs/make_screenshots.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
