SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: dev test lint fmt bench build web install lock clean-local

## Install Debian packages and the project virtualenvs from the hashed locks (re-runs when a lock changes).
install: $(STAMP)
$(STAMP): requirements/dev.lock.txt requirements/sam.lock.txt infra/install.sh web/package-lock.json
	bash infra/install.sh
	touch $(STAMP)

## Run the platform locally: Postgres 15 (127.0.0.1:54322), localstripe, every HTTP function.
dev: install
	PYTHONPATH=functions $(PY) -m infra.dev

## Every test: lint, types, the SAM template validated and built, pytest (unit, integration, e2e,
## infrastructure — including the built handlers) and pgTAP, on a throwaway cluster.
test: install lint build
	PYTHONPATH=functions $(PY) -m infra.testrun

## sam validate --lint and sam build, offline and without Docker (the build lands in .aws-sam/build); and the web
## client's static bundle (web/dist: API types fresh, type-checked, within its size budget).
build: install web
	SAM_CLI_TELEMETRY=0 .venv-sam/bin/sam validate --lint --region eu-west-1
	SAM_CLI_TELEMETRY=0 .venv-sam/bin/sam build --region eu-west-1
	# numpy and SciPy ship their test suites: not needed in Lambda, and they cost ~45 MB of the 250 MB limit.
	# (numpy.testing, which SciPy imports, needs numpy/_core/tests/_natype.py: that file stays.)
	find .aws-sam/build/CohortLayer/python/numpy .aws-sam/build/CohortLayer/python/scipy -type d -name tests \
		-not -path '*/numpy/_core/tests' -prune -exec rm -rf {} +
	find .aws-sam/build/CohortLayer/python/numpy/_core/tests -mindepth 1 -not -name __init__.py \
		-not -name _natype.py -exec rm -rf {} +
	# The cohort solver imports scipy.sparse (csgraph), which loads scipy.linalg and scipy._lib only; SciPy's other
	# subpackages are never imported there and cost ~60 MB more. The built-handler test solves a cohort with
	# what is left.
	find .aws-sam/build/CohortLayer/python/scipy -mindepth 1 -maxdepth 1 -type d \
		-not -name _lib -not -name linalg -not -name sparse -exec rm -rf {} +
	# ...and no numpy/SciPy bytecode: the cohort batch job compiles what it imports of them at start (about a
	# second of minutes).
	find .aws-sam/build/CohortLayer/python/numpy .aws-sam/build/CohortLayer/python/scipy -type d -name __pycache__ \
		-prune -exec rm -rf {} +
	# Lambda cannot write __pycache__ next to read-only code: ship the bytecode (hash-checked, mtime-proof).
	$(PY) -m compileall -q --invalidation-mode unchecked-hash -x 'CohortLayer/python/(numpy|scipy)/' .aws-sam/build

## The web client: API types checked against openapi/, TypeScript checked, the cloud bundle built and measured,
## and the local (devstack) bundle that `make dev` and the browser tests serve.
web: install
	cd web && npm run --silent check:api && npm run --silent typecheck
	cd web && npm run --silent build -- --logLevel warn && npm run --silent size
	cd web && npm run --silent build:devstack -- --logLevel warn

## Benchmarks (each starts what it needs and prints one JSON line last).
bench: install build
	$(PY) -m bench.all

## Re-resolve every lock file (dev venv, SAM CLI, both Lambda layers) with uv, hashes included. Upgrading a
## dependency: change its pin in pyproject.toml (and infra/layer*/requirements.in), then `make lock`.
lock: install
	bash infra/lock.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-local:
	rm -rf .local
