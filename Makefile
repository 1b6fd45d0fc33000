# rem: set up, run and test. `make help` lists the targets.
#
# Everything Python lives in .venv (created here); system programs (Graphviz, and for the
# tests Chromium and PostgreSQL) come from scripts/install-system-deps.sh.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
PORT ?= 5000
PYTEST_ARGS ?=

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app rem
PYTEST := $(BIN)/pytest
PG := bash scripts/pg-test-server.sh

.PHONY: help deps deps-test venv translations run test test-sqlite test-postgres lint \
	screenshots bench bench-postgres clean distclean _pytest-sqlite _pytest-postgres

help:
	@echo "make run            start rem on http://127.0.0.1:$(PORT) with demo data (SQLite)"
	@echo "make test           lint, then the tests on SQLite, on a throwaway PostgreSQL and in Chromium"
	@echo "make test-sqlite    the whole suite (browser tests too) on SQLite"
	@echo "make test-postgres  the whole suite (browser tests too) on a throwaway PostgreSQL"
	@echo "make lint           ruff check, and the import contracts of .importlinter"
	@echo "make screenshots    save PNGs of the main pages in docs/screenshots/"
	@echo "make bench          measure speed and scale, write docs/performance.md (SQLite;"
	@echo "                    REM_BENCH_DATABASE_URL=postgresql://... for a PostgreSQL server)"
	@echo "make bench-postgres the same on a throwaway PostgreSQL"
	@echo "make venv           create .venv and install rem with its test tools"
	@echo "make clean          remove caches and compiled files (make distclean: also .venv)"
	@echo "Options: PORT=5000, PYTEST_ARGS='-k smoke' (or test files: 'tests/test_x.py', and only"
	@echo "         the runs those files belong to start), PYTHON=python3.12"

# --- setup -----------------------------------------------------------------------------

deps:
	@bash scripts/install-system-deps.sh

deps-test:
	@bash scripts/install-system-deps.sh --test

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "rem needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; \
		echo "Use for example: make PYTHON=python3.12 ..." >&2; exit 1; }
	@if [ ! -x $(BIN)/python ]; then \
		echo "Creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
			echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt-get install python3-venv" >&2; \
			exit 1; }; \
	fi
	@echo "Installing rem and its test tools into $(VENV) (pip install -e '.[test]')"
	@PIP_NO_INPUT=1 $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--progress-bar off -e '.[test]'
	@touch $@

# Compiled catalogues (.mo) are not committed; build them from the .po files if any.
translations: venv
	@if [ -d rem/translations ]; then $(BIN)/pybabel -q compile -d rem/translations -f; fi

# --- run -------------------------------------------------------------------------------

# Uses instance/rem.sqlite3 unless REM_DATABASE_URL is set. Demo data is loaded once per
# database (instance/.demo-loaded remembers which); delete instance/ to start afresh.
run: deps venv translations
	@if [ -z "$${REM_DATABASE_URL:-}" ] && [ ! -f instance/rem.sqlite3 ]; then \
		rm -f instance/.demo-loaded; fi
	$(FLASK) db upgrade
	$(FLASK) codebooks install
	@db_id="$$(printf '%s' "$${REM_DATABASE_URL:-default}" | cksum)"; \
	if [ "$$(cat instance/.demo-loaded 2>/dev/null)" != "$$db_id" ]; then \
		$(FLASK) demo load && mkdir -p instance && echo "$$db_id" > instance/.demo-loaded; fi
	@echo
	@echo "  rem runs at http://127.0.0.1:$(PORT)  (stop with Ctrl+C)"
	@echo "  Sign in as admin@example.org with password demo-wachtwoord;"
	@echo "  see README for the other demo accounts."
	@echo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# --- checks ----------------------------------------------------------------------------

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Lint and both test runs always all run, so one failure does not hide the other results
# (make test fails at the end if any failed). The SQLite and PostgreSQL runs go side by
# side (one per core; TEST_PARALLEL=0 runs them one after the other), each into its own
# log under build/, printed whole when it ends. On PostgreSQL the browser tests' demo
# server gets a scratch database of its own on the same server (tests/browser/server.py).
# Each part's time and the total are printed at the end (the target: under 6 minutes on
# two cores, both databases and the browser tests included).
# `make test`: lint, then three runs side by side on the two cores, each into its own log:
#   SQLite-tests      every test but the browser tests, on SQLite
#   PostgreSQL-tests  every test that touches the database, on a throwaway PostgreSQL
#                     (those marked one_database make their own SQLite file or touch no
#                     database: the SQLite run has them)
#   Browser-tests     the browser tests (real Chromium) against a demo server on that
#                     PostgreSQL, the database of production
# Without PostgreSQL (a developer's machine; never CI) the SQLite run has every test.
# TEST_PARALLEL=0 runs the three one after the other.
TEST_PARALLEL ?= 1
# PYTEST_ARGS may name test files or folders (tests/...): then each run gets only its own
# (the browser run the ones under tests/browser, the others the rest), and a run with none
# of them does not start. Without any, every run runs its whole part.
PYTEST_PATHS := $(filter tests tests/%,$(PYTEST_ARGS))
PYTEST_FLAGS := $(filter-out tests tests/%,$(PYTEST_ARGS))
BROWSER_PATHS := $(filter tests/browser tests/browser/%,$(PYTEST_PATHS))
OTHER_PATHS := $(filter-out tests/browser tests/browser/%,$(PYTEST_PATHS))
RUN_OTHER := $(if $(PYTEST_PATHS),$(if $(OTHER_PATHS),yes,),yes)
RUN_BROWSER := $(if $(PYTEST_PATHS),$(if $(BROWSER_PATHS),yes,),yes)
# A test run starts some twenty Python processes (gunicorn workers, the flask command,
# the demo server); each compiles rem's modules again when PYTHONDONTWRITEBYTECODE
# forbids keeping the compiled files (0.85 s instead of 0.65 s of CPU to import wsgi).
# The tests keep them, in the __pycache__ folders that .gitignore leaves out.
test test-sqlite test-postgres: export PYTHONDONTWRITEBYTECODE :=

test: deps-test venv translations
	@failed=""; began=$$(date +%s); mkdir -p build; rm -f build/*-tests.log build/*-tests.time; \
	$(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	times="lint $$(( $$(date +%s) - began ))s;"; \
	run() { name=$$1; shift; start=$$(date +%s); code=0; \
		echo "=== $$name: $$*" > build/$$name.log; \
		"$$@" >> build/$$name.log 2>&1 || code=$$?; \
		if [ "$$code" = 5 ] && [ -n "$(PYTEST_PATHS)" ]; then code=0; \
			echo "($$name: none of the tests named run in this part)" >> build/$$name.log; fi; \
		echo "$$(( $$(date +%s) - start ))" > build/$$name.time; return $$code; }; \
	names=""; \
	if $(PG) check; then \
		trap '$(PG) stop' EXIT; $(PG) start; url="$$($(PG) url)"; \
		commands=(); \
		if [ -n "$(RUN_OTHER)" ]; then names="$$names SQLite-tests PostgreSQL-tests"; \
			commands+=("env -u REM_TEST_DATABASE_URL $(PYTEST) --ignore=tests/browser $(PYTEST_FLAGS) $(OTHER_PATHS)" \
				"env REM_TEST_DATABASE_URL=$$url $(PYTEST) --ignore=tests/browser -m 'not one_database' $(PYTEST_FLAGS) $(OTHER_PATHS)"); fi; \
		if [ -n "$(RUN_BROWSER)" ]; then names="$$names Browser-tests"; \
			commands+=("env REM_TEST_DATABASE_URL=$$url $(PYTEST) $(or $(BROWSER_PATHS),tests/browser) $(PYTEST_FLAGS)"); fi; \
		set -- "$${commands[@]}"; \
	elif [ -n "$${CI:-}" ] && [ "$${CI}" != false ] && [ "$${CI}" != 0 ]; then \
		echo "ERROR: PostgreSQL is not installed, and CI must test on PostgreSQL." >&2; exit 1; \
	else \
		echo; echo "*** SKIPPED: the PostgreSQL runs (PostgreSQL is not installed; run"; \
		echo "*** scripts/install-system-deps.sh --test). Every test runs on SQLite."; echo; \
		names="SQLite-tests"; set -- "env -u REM_TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)"; \
	fi; \
	echo "=== $$names (logs: build/<name>.log, printed when all end; TEST_PARALLEL=$(TEST_PARALLEL)) ==="; \
	pids=""; i=0; \
	for name in $$names; do i=$$((i + 1)); command="$${!i}"; \
		if [ "$(TEST_PARALLEL)" = 1 ]; then eval "run $$name $$command" & pids="$$pids $$!"; \
		else eval "run $$name $$command" || failed="$$failed $$name"; fi; \
	done; \
	i=0; for pid in $$pids; do i=$$((i + 1)); \
		wait $$pid || failed="$$failed $$(echo $$names | cut -d' ' -f$$i)"; done; \
	for name in $$names; do cat build/$$name.log; \
		times="$$times $$name $$(cat build/$$name.time)s;"; done; \
	echo "make test: times: $$times total $$(( $$(date +%s) - began ))s (parallel=$(TEST_PARALLEL))"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed (see above)" >&2; exit 1; fi; \
	echo "make test: all passed"

test-sqlite: deps-test venv translations _pytest-sqlite

test-postgres: deps-test venv translations _pytest-postgres

_pytest-sqlite:
	@echo "=== pytest on SQLite ==="
	env -u REM_TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

# Starts a throwaway PostgreSQL cluster (scripts/pg-test-server.sh), always stops it.
# Without PostgreSQL this is skipped under `make test` (PG_OPTIONAL=1), except in CI.
_pytest-postgres:
	@if ! $(PG) check; then \
		if [ -n "$${CI:-}" ] && [ "$${CI}" != false ] && [ "$${CI}" != 0 ]; then \
			echo "ERROR: PostgreSQL is not installed, and CI must test on PostgreSQL." >&2; \
			exit 1; \
		elif [ -n "$(PG_OPTIONAL)" ]; then \
			echo; \
			echo "*** SKIPPED: the PostgreSQL test run (PostgreSQL is not installed;"; \
			echo "*** run scripts/install-system-deps.sh --test or see its message above)."; \
			echo; \
			exit 0; \
		else \
			echo "ERROR: PostgreSQL is not installed (scripts/install-system-deps.sh --test)." >&2; \
			exit 1; \
		fi; \
	fi; \
	trap '$(PG) stop' EXIT; \
	$(PG) start; \
	url="$$($(PG) url)"; \
	echo "=== pytest on PostgreSQL ($$url) ==="; \
	echo "$(PYTEST) $(PYTEST_ARGS)"; \
	REM_TEST_DATABASE_URL="$$url" $(PYTEST) $(PYTEST_ARGS)

# --- documentation ---------------------------------------------------------------------

screenshots: deps-test venv translations
	$(BIN)/python scripts/screenshots.py

# --- performance -----------------------------------------------------------------------

# Builds a national-size network (benchmarks/generate.py) and measures map rendering, the
# render cache, page throughput under gunicorn, SQL statements per page and maps too large
# to draw (benchmarks/run.py; under 10 minutes on 2 cores). Prints every figure and writes
# them into docs/performance.md. BENCH_ARGS='--quick --no-write' for a short trial.
BENCH_ARGS ?=

bench: deps venv translations
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

bench-postgres: deps-test venv translations
	@trap '$(PG) stop' EXIT; \
	$(PG) start; \
	REM_BENCH_DATABASE_URL="$$($(PG) url)" $(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# --- cleaning --------------------------------------------------------------------------

clean:
	-@$(PG) stop 2>/dev/null
	rm -rf .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
	find rem -name '*.mo' -delete

distclean: clean
	rm -rf $(VENV)
