# Safeguard: thin wrappers a newcomer can read in one screen. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.DEFAULT_GOAL := help
.PHONY: help run test lint fmt bench clean constraints install frontend

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/build/app.css: node_modules/.installed static/build.mjs static/src/app.scss
	npm run build

install: $(VENV)/.installed node_modules/.installed static/build/app.css ## Create .venv, install Python and front-end dependencies, build assets

frontend: node_modules/.installed ## Rebuild the front-end assets
	npm run build

run: install ## Start the app with demo data on http://127.0.0.1:8000 (PORT= to change; no Redis needed)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/run.sh

test: install ## Run the test suite (integration and browser tests need PostgreSQL, Redis, Chromium)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install ## Run the benchmark scripts in bench/ (they print figures)
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python "$$script"; done

constraints: ## Re-pin constraints.txt from a fresh environment
	rm -rf /tmp/safeguard-constraints && $(PYTHON) -m venv /tmp/safeguard-constraints
	/tmp/safeguard-constraints/bin/pip install --quiet -e '.[dev]'
	/tmp/safeguard-constraints/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean: ## Remove the virtual environment, node_modules, built assets and local data
	rm -rf $(VENV) node_modules static/build var
