# One entry point for people and CI. `make run` starts the app on SQLite + Whoosh in instance/,
# `make test` runs everything CI runs. The virtualenv is rebuilt when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint format clean browser bench bench-quick

setup: $(STAMP)

# Debian's python3 may lack ensurepip (python3-venv): fall back to virtualenv from PyPI.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); $(PYTHON) -m pip install --quiet --user virtualenv && $(PYTHON) -m virtualenv --quiet $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/tracker run

# Everything on SQLite, then the suites that touch the database again on a throwaway PostgreSQL
# (started and stopped by the tests themselves: tracker/testing/postgres.py).
test: setup lint browser
	$(BIN)/pytest
	TRACKER_TEST_DB=postgres $(BIN)/pytest $(POSTGRES_SUITES)
	TRACKER_TEST_DB=postgres TRACKER_TEST_SEARCH=postgres $(BIN)/pytest tests/search

POSTGRES_SUITES := tests/services tests/web tests/search tests/test_migrations.py

# The browser tests (tests/browser) drive Debian's chromium with a Chinese font, the benchmark's
# load run uses wrk, and tests/services/test_docx_render.py prints the Word files through LibreOffice
# and reads the PDF with poppler. A fresh machine gets them from apt (with sudo when not root); if one
# is still missing, stop here, loudly.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
WRK := /usr/bin/wrk
SOFFICE := /usr/bin/soffice
PDFTOTEXT := /usr/bin/pdftotext
INITDB := /usr/lib/postgresql/15/bin/initdb
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -f $(CJK_FONT) ] || [ ! -x $(WRK) ] || [ ! -x $(SOFFICE) ] || [ ! -x $(PDFTOTEXT) ] || [ ! -x $(INITDB) ]; then \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-microhei wrk; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreoffice-writer-nogui poppler-utils; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 postgresql-15-rum; \
	fi
	@[ -x $(CHROMIUM) ] || { echo "error: $(CHROMIUM) is missing; the browser tests cannot run" >&2; exit 1; }
	@[ -x $(SOFFICE) ] && [ -x $(PDFTOTEXT) ] || { echo "error: LibreOffice or poppler-utils is missing; the Word rendering test cannot run" >&2; exit 1; }
	@[ -x $(WRK) ] || { echo "error: $(WRK) is missing; the benchmark's load run cannot run" >&2; exit 1; }
	@[ -x $(INITDB) ] || { echo "error: PostgreSQL 15 is missing; the suites cannot run on PostgreSQL" >&2; exit 1; }

# The benchmark at CI size (1,000 proposals, a 10 s load): fails if a figure is missing.
bench-quick: setup browser
	$(BIN)/tracker bench --quick --out instance/bench/quick.json > /dev/null

# The full run whose figures are in README.md (about 20 minutes on 2 cores).
bench: setup browser
	$(BIN)/tracker bench --proposals 10000 --out instance/bench/bench-10000.json > /dev/null

lint: setup
	$(BIN)/ruff check tracker tests
	$(BIN)/ruff format --check tracker tests

format: setup
	$(BIN)/ruff format tracker tests
	$(BIN)/ruff check --fix tracker tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
