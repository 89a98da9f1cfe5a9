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

# The Courses panel (JupyterLab extension): TypeScript in extensions/labextension, built with the
# JupyterLab toolchain from npm into the Python package (not committed), then linked into the
# venv's share/jupyter/labextensions so `jupyter labextension list` shows it.
LABEXT_DIR := extensions/labextension
LABEXT := extensions/nbcampus/labextensions/@nbcampus/labextension/package.json
LABEXT_SRC := $(shell find $(LABEXT_DIR)/src $(LABEXT_DIR)/style -type f -not -name schema.d.ts) $(LABEXT_DIR)/package.json $(LABEXT_DIR)/package-lock.json $(LABEXT_DIR)/tsconfig.json
LABEXT_NODE := $(LABEXT_DIR)/node_modules/.installed
# The panel's response types (generated, not committed) come from the service's OpenAPI document.
# They are regenerated whenever a Python file the document may be built from changes (the
# service's routes and schemas, the school's rules), and written only when they differ, so the
# panel is compiled again exactly when the types change and can never drift from the document.
OPENAPI_SRC := extensions/nbcampus/__init__.py $(shell find extensions/nbcampus/service extensions/nbcampus/school -name '*.py')
SCHEMA_TS := $(LABEXT_DIR)/src/schema.d.ts
SCHEMA_STAMP := $(LABEXT_DIR)/.schema-stamp

.PHONY: demo test install labextension install-test system-packages lint demo-video bench-spawn bench-service bench-grading bench-reports bench-cohort bench-certificates bench-notifications bench-nudges bench-quiz bench-image-panel clean

demo: install system-packages
	$(PY) -m nbcampus demo

test: install-test system-packages
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed node_modules/.installed $(LABEXT)

# jsonschema's optional IRI checker (rfc3987-syntax, pulled in by jupyter-events and nbformat)
# compiles 35 Earley grammars at import: 1.4 s of CPU in every Jupyter process (the service, each
# learner's server and kernel manager, nbgrader, grading workers), for a format no Jupyter or
# nbcampus schema uses (python-jsonschema/jsonschema#1428). Removed after every install;
# tests/test_startup_cost.py checks that a learner server's imports do not load it.
UNUSED_SLOW := rfc3987-syntax
DROP_UNUSED_SLOW := $(PY) -m pip uninstall -q -y $(UNUSED_SLOW) $(PIP_QUIET)

install-test: install $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip $(PIP_QUIET)
	$(PY) -m pip install -q -e . $(PIP_QUIET)
	$(DROP_UNUSED_SLOW)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[test]' $(PIP_QUIET)
	$(DROP_UNUSED_SLOW)
	touch $@

$(LABEXT_NODE): $(LABEXT_DIR)/package.json $(LABEXT_DIR)/package-lock.json
	cd $(LABEXT_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(SCHEMA_STAMP): $(VENV)/.installed $(LABEXT_NODE) $(OPENAPI_SRC)
	$(PY) -m nbcampus.service.openapi > $(LABEXT_DIR)/openapi.json
	cd $(LABEXT_DIR) && npx openapi-typescript openapi.json --output .schema.d.ts.new --silent
	if cmp -s $(LABEXT_DIR)/.schema.d.ts.new $(SCHEMA_TS); then rm $(LABEXT_DIR)/.schema.d.ts.new; \
	else mv $(LABEXT_DIR)/.schema.d.ts.new $(SCHEMA_TS); fi
	touch $@

# changes (and so rebuilds the panel) only when the stamp's rule rewrites it; made again if deleted
$(SCHEMA_TS): $(SCHEMA_STAMP)
	@test -f $@ || { rm -f $(SCHEMA_STAMP); $(MAKE) --no-print-directory $(SCHEMA_STAMP); }

$(LABEXT): $(VENV)/.installed $(LABEXT_NODE) $(SCHEMA_TS) $(LABEXT_SRC)
	cd $(LABEXT_DIR) && npx tsc
	cd $(LABEXT_DIR) && $(CURDIR)/$(VENV)/bin/jupyter labextension build --development False .
	$(VENV)/bin/jupyter labextension develop --overwrite . >/dev/null
	touch $@

labextension: $(LABEXT)

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

# The demo MOOC's video lesson (committed; remade from its slides file with ffmpeg + espeak-ng)
DEMO_VIDEO_SLIDES := courses/python-data/lessons/week1-intro.slides.txt
demo-video:
	@command -v ffmpeg >/dev/null && command -v espeak-ng >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg espeak-ng >/dev/null; }
	$(PYTHON) tools/make_lesson_video.py $(DEMO_VIDEO_SLIDES)

lint: install-test
	$(VENV)/bin/ruff check extensions graders hub_config tests benchmarks
	$(VENV)/bin/ruff format --check extensions graders hub_config tests benchmarks

bench-spawn: install-test
	$(PY) benchmarks/spawn.py

bench-service: install-test
	$(PY) benchmarks/service.py

bench-grading: install-test system-packages
	$(PY) benchmarks/grading.py

# needs PostgreSQL at 127.0.0.1:5432 (database test), like the service tests
bench-reports: install-test
	$(PY) benchmarks/reports.py

# a cohort of LEARNERS (default 100) arriving at 2 logins/s, submitting within WINDOW s (300)
bench-cohort: install-test system-packages
	$(PY) benchmarks/cohort.py --learners $(or $(LEARNERS),100) --window $(or $(WINDOW),300)

bench-quiz: install-test system-packages
	$(PY) benchmarks/quiz.py

# the Dockerfile's panel stage on a clean export of the checkout (no container builder here)
bench-image-panel: install-test
	$(PY) benchmarks/image_panel.py

bench-certificates: install-test
	$(PY) benchmarks/certificates.py

bench-notifications: install-test
	$(PY) benchmarks/notifications.py

bench-nudges: install-test
	$(PY) benchmarks/nudges.py

clean:
	rm -rf var test-output $(LABEXT_DIR)/lib $(LABEXT_DIR)/tsconfig.tsbuildinfo extensions/nbcampus/labextensions \
	  $(SCHEMA_TS) $(SCHEMA_STAMP) $(LABEXT_DIR)/openapi.json
