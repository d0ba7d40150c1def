# Barnrättsbanken: two commands on a fresh machine.
#   make run   install, migrate, load demo content, serve on http://127.0.0.1:$${PORT:-8000}
#   make test  install test dependencies and run the whole suite

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install install-test assets bench clean

$(VENV)/.installed: pyproject.toml search/native/Cargo.toml search/native/Cargo.lock search/native/src/lib.rs
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	$(PY) -m pip install --quiet ./search/native
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

install-test: $(VENV)/.installed-test node_modules/.installed

run: install
	$(VENV)/bin/barnratt init
	$(VENV)/bin/barnratt demo
	$(VENV)/bin/barnratt serve --host 127.0.0.1 --port $(PORT)

test: install-test
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: install-test
	$(PY) bench/search.py

clean:
	rm -rf $(VENV) node_modules data .pytest_cache search/native/target
