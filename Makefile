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

.PHONY: demo test install install-test system-packages lint bench-spawn bench-service bench-grading bench-certificates clean

demo: install system-packages
	$(PY) -m nbcampus demo

test: install-test system-packages
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

# Debian packages: bubblewrap sandboxes grading and learners' servers; the browser tests drive
# chromium. Installed when missing and we may (root); otherwise say what to run.
SYSTEM_PACKAGES := bubblewrap:bwrap chromium:chromium
system-packages:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v $${pair#*:} >/dev/null || missing="$$missing $${pair%%:*}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing; run 'sudo apt-get install$$missing'"; \
	  fi; \
	fi

lint: install-test
	$(VENV)/bin/ruff check extensions graders hub_config tests benchmarks
	$(VENV)/bin/ruff format --check extensions graders hub_config tests benchmarks

bench-spawn: install-test
	$(PY) benchmarks/spawn.py

bench-service: install-test
	$(PY) benchmarks/service.py

bench-grading: install-test system-packages
	$(PY) benchmarks/grading.py

bench-certificates: install-test
	$(PY) benchmarks/certificates.py

clean:
	rm -rf var test-output
