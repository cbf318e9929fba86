# klimamonitor: `make run` and `make test` do everything on a fresh machine, set-up included.
SHELL := /bin/bash
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export UV_COMPILE_BYTECODE := 1
export DAGSTER_HOME := $(CURDIR)/warehouse/.dagster
export DBT_PROFILES_DIR := $(CURDIR)/transform
export KLIMAMONITOR_WAREHOUSE ?= $(CURDIR)/warehouse/klimamonitor.duckdb
# glibc's allocator, fixed where it would adapt: blocks over 64 KB are mapped and handed back to
# the system when freed, and the heap is trimmed once 64 KB are free at its top. By default glibc
# raises both thresholds (up to 32 and 64 MB) as a process frees large blocks, and the nightly's
# steps share one process: each kept what the loads before it had freed (at 10,000
# municipalities the three loads left 665 MB resident, 439 MB so; README, "Performance").
export MALLOC_MMAP_THRESHOLD_ ?= 65536
export MALLOC_TRIM_THRESHOLD_ ?= 65536
DBT_FILES := $(shell find transform/models transform/seeds transform/macros transform/tests transform/snapshots -type f 2>/dev/null) transform/dbt_project.yml
MANIFEST := transform/target/manifest.json

.PHONY: run test dev lint bench bench-tests docs serve serve-stop demo-data setup clean translations

# uv itself, when the machine has none: a pinned wheel from PyPI into a private venv.
$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/dagster: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

setup: $(BIN)/dagster

$(MANIFEST): $(BIN)/dagster $(DBT_FILES)
	cd transform && ../$(BIN)/dbt parse --quiet

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp $< $@

demo-data: $(BIN)/dagster
	$(BIN)/python -m tests.fixtures.demo --if-missing

run: $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml demo-data
	$(BIN)/python -m orchestration.run

test: $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/pytest -n 2

dev: $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml demo-data
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

lint: $(MANIFEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd transform && ../$(BIN)/sqlfluff lint models tests macros

# dbt's docs of the project and the warehouse's catalog, in a target folder of their own (the
# manifest in transform/target is the one the runs load), served on 127.0.0.1; the pipeline runs
# first when there is no warehouse yet.
DOCS_TARGET := $(CURDIR)/warehouse/dbt-docs
DOCS_PORT ?= 8080
docs: $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml demo-data
	@test -f $(KLIMAMONITOR_WAREHOUSE) || $(MAKE) run
	cd transform && ../$(BIN)/dbt docs generate --quiet --static --target-path $(DOCS_TARGET)
	@echo "dbt docs: http://127.0.0.1:$(DOCS_PORT) (also $(DOCS_TARGET)/static_index.html, one file)"
	cd transform && ../$(BIN)/dbt docs serve --target-path $(DOCS_TARGET) --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# The project's own PostgreSQL (Debian's postgresql, installed if missing) in warehouse/postgres/,
# on 127.0.0.1:$(PG_PORT); while it runs, `make run` loads each publication into it.
PG_PORT ?= 5433
serve: $(BIN)/dagster
	$(BIN)/python -m publish.postgres_server start --port $(PG_PORT)

serve-stop: $(BIN)/dagster
	$(BIN)/python -m publish.postgres_server stop

# The report's messages: extracted from its templates and labels into report/locale/messages.pot,
# merged into each language's catalogue; a message without a translation fails the tests.
translations: $(BIN)/dagster
	$(BIN)/pybabel -q extract -F report/babel.cfg --no-location --sort-output --project klimamonitor -o report/locale/messages.pot report
	$(BIN)/pybabel -q update --ignore-pot-creation-date -i report/locale/messages.pot -d report/locale

SCALE ?= 1000
REPEATS ?= 3
bench: $(MANIFEST)
	$(BIN)/python -m bench --scale $(SCALE) --repeats $(REPEATS)

# the test suite as `make test` runs it, timed against its 6 minutes, lane by lane
bench-tests: $(MANIFEST) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m bench.tests

clean:
	rm -rf warehouse/*.duckdb warehouse/*.wal warehouse/*.steps.json warehouse/.dlt_pipelines warehouse/dbt-target warehouse/demo_sources warehouse/published warehouse/bench warehouse/dbt-docs transform/target
