# The README's two commands: `make demo` and `make test`. Everything they need is
# installed from here, so a fresh clone on a fresh machine works.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/leadline/console/static/vendor/htmx.min.js
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
export LEADLINE_TEST_POSTGRES_URL ?= $(PG_URL)
HOST ?= 127.0.0.1
PORT ?= 8000

CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install assets lint types contracts test-sqlite test-postgres test-e2e tools chromium serve clean

demo: install assets
	$(BIN)/leadline migrate
	$(BIN)/leadline demo
	$(BIN)/leadline serve --host $(HOST) --port $(PORT)

test: install assets lint types contracts test-sqlite test-postgres test-e2e

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(ASSETS): package.json package-lock.json scripts/build_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/build_assets.py

assets: install $(ASSETS)

lint: install
	$(BIN)/ruff check src tests e2e benchmarks scripts
	$(BIN)/ruff format --check src tests e2e benchmarks scripts

types: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

test-sqlite: install assets tools
	@echo "== test suite on SQLite"
	LEADLINE_DATABASE_URL=sqlite:///var/test-suite.sqlite3 $(BIN)/pytest -n 2 -q

test-postgres: install assets tools
	@if $(BIN)/python scripts/pg_ready.py "$(LEADLINE_TEST_POSTGRES_URL)"; then \
		echo "== test suite on PostgreSQL ($(LEADLINE_TEST_POSTGRES_URL))"; \
		LEADLINE_DATABASE_URL="$(LEADLINE_TEST_POSTGRES_URL)" $(BIN)/pytest -n 2 -q; \
	else \
		echo "== PostgreSQL is not reachable at $(LEADLINE_TEST_POSTGRES_URL): skipping the PostgreSQL half (the SQLite half ran above)"; \
	fi

# Debian packages the tests use: Chromium for the browser tests (Playwright never
# downloads a browser here), and curl, jq and openssl, which run the documented examples.
DEBIAN_TOOLS := $(CHROMIUM):chromium /usr/bin/curl:curl /usr/bin/jq:jq /usr/bin/openssl:openssl

tools:
	@missing=""; for pair in $(DEBIAN_TOOLS); do \
		test -x "$${pair%%:*}" || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "== installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

chromium: tools

test-e2e: install assets chromium
	@echo "== browser tests (Chromium, served demo on SQLite)"
	LEADLINE_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -p no:xdist -q e2e

serve: install assets
	$(BIN)/leadline serve --host $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) node_modules var src/leadline/console/static/vendor
