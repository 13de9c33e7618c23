# The whole set-up on a fresh machine with only python3: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= data/store
HOST ?= 127.0.0.1
PORT ?= 8000
REFERENCE_GRAPH := https://w3id.org/alliancegraph/graph/reference

.PHONY: run test lint typecheck unit load-examples browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-run the install only when pyproject.toml changes, so second runs are fast.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The explorer's browser tests drive Debian's Chromium (no browser is ever downloaded). Installed
# when missing, only as root with apt-get; otherwise those tests skip saying why (and fail in CI).
browser:
	@{ command -v chromium >/dev/null && fc-list :lang=ko 2>/dev/null | grep -q . ; } \
		|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; } || true

load-examples: $(VENV)/.installed
	$(BIN)/alliancegraph --store $(STORE) load --graph $(REFERENCE_GRAPH) examples/reference/*.ttl
	$(BIN)/alliancegraph --store $(STORE) load examples/sources/*.trig

run: load-examples
	$(BIN)/alliancegraph --store $(STORE) serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

unit: $(VENV)/.installed-test browser
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
