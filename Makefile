# nbcampus: `make demo` runs the demo school, `make test` runs the whole test suite.
# Everything is installed into the checkout: .venv (Python) and node_modules (the proxy).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_QUIET := 2>&1 | { grep -v "^WARNING: Location '" || true; }
# tools nbgrader and the hub call by name (alembic, jupyterhub-singleuser) come from the venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test install install-test chromium lint bench-spawn bench-service clean

demo: install
	$(PY) -m nbcampus demo

test: install-test chromium
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed node_modules/.installed

install-test: install $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip $(PIP_QUIET)
	$(PY) -m pip install -q -e . $(PIP_QUIET)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[test]' $(PIP_QUIET)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's chromium; install it when missing and we may (root).
chromium:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests will fail)"; \
	  fi; \
	fi

lint: install-test
	$(VENV)/bin/ruff check extensions graders hub_config tests benchmarks
	$(VENV)/bin/ruff format --check extensions graders hub_config tests benchmarks

bench-spawn: install-test
	$(PY) benchmarks/spawn.py

bench-service: install-test
	$(PY) benchmarks/service.py

clean:
	rm -rf var test-output
