# Tenpoint: `make run` serves the demo, `make test` runs every test. Both start from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= $(or $(TENPOINT_PORT),5000)

.PHONY: run test install widget locales i18n lint typecheck bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

# pip's and setuptools' chatter goes to a log, shown only when the install fails.
$(STAMP): $(BIN)/python setup.cfg pyproject.toml sdk_python/pyproject.toml
	@echo "Installing into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/pip install --quiet -e '.[test]' -e ./sdk_python > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	touch $(STAMP)

install: $(STAMP) widget locales

widget: $(STAMP)
	$(BIN)/python widget/build.py

locales: $(STAMP)
	$(BIN)/python -m collector.languages.maintenance compile

# Refresh messages.pot from the source, merge it into every locale's .po, compile (docs/i18n.md).
i18n: $(STAMP)
	$(BIN)/python -m collector.languages.maintenance extract update compile

# The worker runs beside the web server; Ctrl-C (or the server exiting) stops both.
# `init --demo` prints the last block you see: the demo page, the console, the API docs and
# the demo keys; the worker's and gunicorn's start-up lines are left out (errors still show).
run: install
	@TENPOINT_PORT=$(PORT) $(BIN)/tenpoint init --demo
	@TENPOINT_PORT=$(PORT) TENPOINT_LOG_LEVEL=$(or $(TENPOINT_LOG_LEVEL),WARNING) \
		$(BIN)/tenpoint worker > /dev/null & WORKER=$$!; \
	trap 'kill -TERM $$WORKER 2>/dev/null; wait $$WORKER' INT TERM EXIT; \
	TENPOINT_PORT=$(PORT) $(BIN)/tenpoint serve --quiet

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check collector sdk_python tests bench widget
	$(BIN)/mypy --strict sdk_python/tenpoint

bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

soak: install
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) instance collector/static/widget.js collector/static/widget.css
