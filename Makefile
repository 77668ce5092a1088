# Safeguard: thin wrappers a newcomer can read in one screen. `make help` lists them.
# Installs are file targets with stamps, so a second `make run`/`make test` reinstalls
# nothing unless pyproject.toml, constraints.txt or package-lock.json changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core; PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install run test lint fmt bench constraints frontend clean

help: ## List the targets
	@echo "Safeguard. First time: 'make run' (the demo) or 'make test'. Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt csc-validator-be-cin
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/build/app.css: node_modules/.installed static/build.mjs $(wildcard static/src/*)
	npm run build

install: $(VENV)/.installed node_modules/.installed static/build/app.css ## Create .venv, install Python and npm dependencies, build the front end

frontend: node_modules/.installed ## Rebuild the front-end assets into static/build/
	npm run build

run: install ## The demo on http://127.0.0.1:8000 with a worker (PORT=, HOST= to change; no Redis needed)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/run.sh

test: install ## Run the tests (PYTEST_ARGS="-k name" to choose; see README for markers)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff lint and format check, and the import contracts (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: $(VENV)/.installed ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install ## Run the benchmark scripts in bench/ (they print figures)
	@found=; for script in bench/*.py; do [ -e "$$script" ] || continue; found=1; \
	  echo "== $$script"; $(BIN)/python "$$script" || exit 1; done; \
	  [ -n "$$found" ] || echo "No benchmark scripts in bench/ yet."

constraints: ## Re-pin constraints.txt from a fresh environment (after changing pyproject.toml)
	rm -rf /tmp/safeguard-constraints && $(PYTHON) -m venv /tmp/safeguard-constraints
	/tmp/safeguard-constraints/bin/python -m pip install --quiet -e '.[dev]'
	/tmp/safeguard-constraints/bin/python -m pip install --quiet --no-deps csc-validator-be-cin
	{ sed -n '1,2p' constraints.txt; /tmp/safeguard-constraints/bin/python -m pip freeze \
	  --exclude-editable | grep -v -e '^-e' -e '^pip==' -e '^setuptools=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf /tmp/safeguard-constraints

clean: ## Remove .venv, node_modules, built assets and local data (var/: the SQLite demo database)
	rm -rf $(VENV) node_modules static/build var
