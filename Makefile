# The whole set-up on a fresh machine with only python3: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= data/store
HOST ?= 127.0.0.1
PORT ?= 8000
REFERENCE_GRAPH := https://w3id.org/alliancegraph/graph/reference

.PHONY: run test lint typecheck unit load-examples browser virtuoso clean

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

# Virtuoso open source for the remote-store tests (tests/virtuoso_server.py runs its own server
# on loopback). Installed when missing, only as root with apt-get, quietly; never fails the build
# (its tests then skip saying why, and fail in CI). The package's postinst would start the distro
# service (dba/dba, all interfaces) and enable it at boot: a policy-rc.d (added only if there is
# none) keeps it from starting, and it is stopped and disabled after, whatever happened.
virtuoso:
	@command -v virtuoso-t >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& { policy=/usr/sbin/policy-rc.d; added=; \
		if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' >$$policy && chmod 755 $$policy && added=1; fi; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			virtuoso-opensource; } >/dev/null 2>&1 \
			|| echo "make virtuoso: apt-get install virtuoso-opensource failed; its tests will skip" >&2; \
		[ -z "$$added" ] || rm -f $$policy; \
		if [ -x /etc/init.d/virtuoso-opensource-7 ]; then \
			/etc/init.d/virtuoso-opensource-7 stop >/dev/null 2>&1; \
			update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1; fi; }; } || true

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

unit: $(VENV)/.installed-test browser virtuoso
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
