SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: dev test lint fmt bench build install clean-local

## Install Debian packages and the project virtualenv (re-runs when pyproject.toml changes).
install: $(STAMP)
$(STAMP): pyproject.toml infra/install.sh
	bash infra/install.sh
	touch $(STAMP)

## Run the platform locally: Postgres 15 (127.0.0.1:54322), localstripe, every HTTP function.
dev: install
	PYTHONPATH=functions $(PY) -m infra.dev

## Every test: lint, types, pytest (unit, integration, e2e, infrastructure) and pgTAP, on a throwaway cluster.
test: install lint
	PYTHONPATH=functions $(PY) -m infra.testrun

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-local:
	rm -rf .local
