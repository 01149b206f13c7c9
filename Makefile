# One entry point for people and CI. `make run` starts the app on SQLite + Whoosh in instance/,
# `make test` runs everything CI runs. The virtualenv is rebuilt when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint format clean browser

setup: $(STAMP)

# Debian's python3 may lack ensurepip (python3-venv): fall back to virtualenv from PyPI.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); $(PYTHON) -m pip install --quiet --user virtualenv && $(PYTHON) -m virtualenv --quiet $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/tracker run

test: setup lint browser
	$(BIN)/pytest

# The browser tests (tests/browser) drive Debian's chromium with a Chinese font. A fresh machine gets
# both from apt (with sudo when not root); if chromium is still missing, stop here, loudly.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -f $(CJK_FONT) ]; then \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-microhei; \
	fi
	@[ -x $(CHROMIUM) ] || { echo "error: $(CHROMIUM) is missing; the browser tests cannot run" >&2; exit 1; }

lint: setup
	$(BIN)/ruff check tracker tests
	$(BIN)/ruff format --check tracker tests

format: setup
	$(BIN)/ruff format tracker tests
	$(BIN)/ruff check --fix tracker tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
