# The README's commands. Every target installs what it needs, so a fresh clone works as is.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
NODE_MODULES := kiosk_client/node_modules/.package-lock.json
CATALOGS := $(patsubst %.po,%.mo,$(wildcard kiosk_server/translations/*/LC_MESSAGES/messages.po))

.PHONY: run install test lint bench translations extract-messages clean

# The suite starts a hundred-odd server processes; where PYTHONDONTWRITEBYTECODE is set (some machines
# set it for every shell) each of them would compile the project's modules again: about 0.5 s of CPU each.
unexport PYTHONDONTWRITEBYTECODE

run: install
	$(FLASK) db upgrade
	$(FLASK) kiosk seed-demo --if-empty
	$(PY) wsgi.py

# What a production checkout needs (README.md § Production deployment): runtime packages only.
install: $(VENV)/.runtime $(NODE_MODULES) $(CATALOGS)

# Three workers on two cores: the browser tests and the server-cluster tests wait on other processes
# much of the time, each group on a worker of its own (tests/conftest.py), while the others keep the
# cores busy. PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 3

test: $(VENV)/.dev $(NODE_MODULES) $(CATALOGS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup
	@if ls kiosk_client/player/*.test.js >/dev/null 2>&1; then cd kiosk_client && node --test player/; fi
	node --test kiosk_server/static/admin/

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: $(VENV)/.dev $(NODE_MODULES) $(CATALOGS)
	$(PY) -m bench

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

$(NODE_MODULES): kiosk_client/package.json kiosk_client/package-lock.json
	cd kiosk_client && npm ci --no-audit --no-fund

%.mo: %.po $(VENV)/.runtime
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# Refresh the catalogue after changing UI text: Vietnamese is the source language, English the translation.
extract-messages: $(VENV)/.runtime
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o kiosk_server/translations/messages.pot --no-location --sort-output .
	$(VENV)/bin/pybabel update -i kiosk_server/translations/messages.pot -d kiosk_server/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) kiosk_client/node_modules
