# Kantor — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KANTOR := $(BIN)/kantor
PYTEST_ARGS ?=

.PHONY: run test lint format bench browser clean

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

## make run: set up, migrate the embedded SQLite database, load demo data, start everything.
run: export KANTOR_DEBUG ?= 1
run: $(BIN)/.installed
	$(KANTOR) migrate --no-input
	$(KANTOR) demo
	$(KANTOR) run

## make test: lint, then the whole suite on SQLite, and on PostgreSQL when KANTOR_DATABASE_URL is set.
test: $(BIN)/.installed browser lint
	env -u KANTOR_DATABASE_URL $(BIN)/pytest -n 2 $(PYTEST_ARGS)
	@if [ -n "$$KANTOR_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$KANTOR_DATABASE_URL)"; \
		$(BIN)/pytest -n 2 $(PYTEST_ARGS); \
	else echo "KANTOR_DATABASE_URL not set: PostgreSQL run skipped"; fi

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Browser tests drive Debian's Chromium (no browser downloads here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "WARNING: /usr/bin/chromium missing and not root: browser tests will be skipped"; fi; \
	fi

## make bench: every benchmark, JSON lines on stdout. The comparison engines
## (lightmatchingengine, pyorderbook) live only in the separate bench venv.
BENCH := .venv-bench/bin
$(BENCH)/.installed: pyproject.toml bench/requirements-engines.txt
	@test -x $(BENCH)/python || $(PYTHON) -m venv .venv-bench
	$(BENCH)/python -m pip install --quiet --upgrade pip
	$(BENCH)/python -m pip install --quiet -e . -r bench/requirements-engines.txt
	@touch $@

bench: $(BENCH)/.installed
	@for b in bench/*.py; do case $$b in */__init__.py|*/workloads.py|*/_*) ;; *) \
		$(BENCH)/python -m bench.$$(basename $$b .py) || exit 1;; esac; done

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
