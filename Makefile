# Guanxi — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
GUANXI := $(BIN)/guanxi
APPS := $(notdir $(patsubst %/,%,$(dir $(wildcard src/guanxi/*/apps.py))))
PG_URL ?= $(or $(GUANXI_TEST_PG),$(if $(CI),postgres://postgres@127.0.0.1:5432/guanxi,))

.PHONY: run test install lint format bench messages compilemessages static clean test-sqlite test-pg openapi test-contract

run: install
	$(GUANXI) setup
	$(GUANXI) serve --with-worker

test: install lint test-sqlite test-pg test-contract

install: $(VENV)/.installed node_modules/.installed compilemessages static

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Guanxi needs Python 3.12+ (see .python-version)"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

compilemessages: $(VENV)/.installed
	@cd src/guanxi && ../../$(GUANXI) compilemessages --ignore='*/node_modules/*' -v0

static: $(VENV)/.installed node_modules/.installed
	@$(GUANXI) collectstatic --noinput -v0

messages: $(VENV)/.installed
	@for app in $(APPS); do (cd src/guanxi/$$app && mkdir -p locale && ../../../$(GUANXI) makemessages -l zh_Hans --no-obsolete -v0); done

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# one worker per core (pytest-xdist); PYTEST_ARGS="-n 0" runs in one process
PYTEST_ARGS ?= -n auto

test-sqlite:
	$(BIN)/pytest $(PYTEST_ARGS)

test-pg:
	@if [ -n "$(PG_URL)" ]; then \
		echo "PostgreSQL run: $(PG_URL)"; DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS); \
	else echo "Skipping the PostgreSQL run: set GUANXI_TEST_PG=postgres://… (required in CI)."; fi

# The API contract: docs/openapi.yaml is generated from the code (a test fails when they differ) …
openapi: $(VENV)/.installed
	$(GUANXI) spectacular --file docs/openapi.yaml --validate --fail-on-warn

# … and a live server is held to it: Schemathesis, every check, a bounded number of examples per operation.
test-contract: $(VENV)/.installed
	$(BIN)/python tests/integrations/contract/run_schemathesis.py --examples $(or $(CONTRACT_EXAMPLES),8)

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules staticfiles .mypy_cache .ruff_cache .pytest_cache
