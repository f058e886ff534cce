# Tenpoint: `make run` serves the demo, `make test` runs every test. Both start from nothing.
# Dependencies come from hashed lock files (requirements/*.lock, refreshed by `make lock`);
# setup.cfg keeps ranges. The project itself is installed editable, without dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= $(or $(TENPOINT_PORT),5000)
UV_VERSION := 0.13.8
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
LOCK_FLAGS := --quiet --generate-hashes --universal
# The newest releases, for `make test-latest` (its own virtualenv, never the locked one).
LATEST := .venv-latest

.PHONY: openapi widget-deps run test test-latest install widget locales i18n lock lint typecheck bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: $(BIN)/python
	$(PIP) install uv==$(UV_VERSION)

# pip's and setuptools' chatter goes to a log, shown only when the install fails.
$(STAMP): $(BIN)/python requirements/collector.lock setup.cfg pyproject.toml sdk_python/pyproject.toml
	@echo "Installing into $(VENV) from requirements/collector.lock (log: $(VENV)/install.log)"
	@{ $(PIP) install --require-hashes -r requirements/collector.lock \
	   && $(PIP) install --no-deps --no-build-isolation -e . -e ./sdk_python; } \
		> $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	touch $(STAMP)

# The built widget is committed (collector/static/widget.js, widget.css); a test fails when it
# is stale. The catalogs are copied into the package and compiled (collector/locales/).
install: $(STAMP) locales

# terser, from widget/package-lock.json: only for building the widget and its freshness test.
widget-deps: widget/node_modules/.package-lock.json
widget/node_modules/.package-lock.json: widget/package-lock.json
	npm ci --prefix widget --no-audit --no-fund --silent

widget: $(STAMP) widget-deps
	$(BIN)/python widget/build.py

locales: $(STAMP)
	$(BIN)/python -m collector.languages.maintenance compile

# Refresh messages.pot from the source, merge it into every locale's .po (Plural-Forms from the
# locked Babel's CLDR), compile (docs/i18n.md).
i18n: $(STAMP)
	$(BIN)/python -m collector.languages.maintenance extract update compile

# Re-resolve every lock from setup.cfg's ranges, the build requirements and requirements/sdk.in.
lock: $(BIN)/uv
	$(BIN)/uv pip compile $(LOCK_FLAGS) --python-version 3.11 --extra test \
	    setup.cfg requirements/build.in -o requirements/collector.lock
	$(BIN)/uv pip compile $(LOCK_FLAGS) --python-version 3.11 \
	    setup.cfg -c requirements/collector.lock -o requirements/deploy.lock
	$(BIN)/uv pip compile $(LOCK_FLAGS) --python-version 3.9 \
	    requirements/sdk.in -o requirements/sdk.lock

# The worker runs beside the web server; Ctrl-C (or the server exiting) stops both.
# `init --demo` prints the last block you see: the demo page, the console, the API docs and
# the demo keys; the worker's and gunicorn's start-up lines are left out (errors still show).
run: install
	@TENPOINT_PORT=$(PORT) $(BIN)/tenpoint init --demo
	@TENPOINT_PORT=$(PORT) TENPOINT_LOG_LEVEL=$(or $(TENPOINT_LOG_LEVEL),WARNING) \
		$(BIN)/tenpoint worker > /dev/null & WORKER=$$!; \
	trap 'kill -TERM $$WORKER 2>/dev/null; wait $$WORKER' INT TERM EXIT; \
	TENPOINT_PORT=$(PORT) $(BIN)/tenpoint serve --quiet

test: install widget-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite against the newest release of every dependency (setup.cfg's ranges, no lock), so
# drift such as a new CLDR in Babel shows up on purpose. Failures here mean: fix, then `make lock`.
test-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip --quiet install --upgrade pip setuptools wheel babel
	$(LATEST)/bin/python -m pip --quiet install --upgrade --no-build-isolation -e '.[test]' -e ./sdk_python
	$(LATEST)/bin/python -m collector.languages.maintenance compile
	$(LATEST)/bin/python -m pytest $(PYTEST_ARGS)

# ruff; the layering contracts (pyproject.toml, [tool.importlinter]); mypy over the collector
# (its settings in pyproject.toml) and, strict, over the SDK.
# The published API document, compared with /openapi.json by a test: refresh it on purpose.
openapi: $(STAMP)
	$(BIN)/python -c 'import json; from collector import create_app; \
	  doc = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).test_client().get("/openapi.json").get_json(); \
	  print(json.dumps(doc, indent=2, ensure_ascii=False))' > docs/openapi.json

lint: $(STAMP)
	$(BIN)/ruff check collector sdk_python tests bench widget
	$(BIN)/lint-imports
	$(BIN)/mypy collector
	$(BIN)/mypy --strict sdk_python/tenpoint

bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

soak: install
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) $(LATEST) instance collector/locales build dist
