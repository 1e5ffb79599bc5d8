# callroute: `make run` serves the product, `make test` checks everything.
# Both create .venv and install what they need on first use; nothing else is needed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
HOST   ?= 127.0.0.1
# Test processes: one per core. Each has its own PostgreSQL database and SQLite files.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

.PHONY: run test test-fast lint typecheck pytest bench clean help

help:
	@echo "make run    - install, migrate the embedded SQLite database, serve on http://$(HOST):$(PORT)"
	@echo "make test   - install dev tools, lint, type-check, run the suite on SQLite and PostgreSQL"
	@echo "make test-fast - the suite on SQLite only, without the tests that start processes"
	@echo "make bench  - run the benchmarks (see docs/benchmarks.md)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "callroute needs Python >= 3.11; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/callroute migrate
	$(BIN)/callroute demo
	$(BIN)/callroute serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(PYTEST)

# For the edit loop: SQLite only, no real processes. `make test` is still the check.
test-fast: $(VENV)/.installed-dev
	CALLROUTE_TEST_DATABASES=sqlite $(PYTEST) -m "not e2e"

test: lint typecheck pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
