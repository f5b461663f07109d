# opi-workflow: `make run` starts the service with demo data; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
APT    := $(if $(filter 0,$(shell id -u)),,sudo) apt-get

.PHONY: run test lint bench setup clean browsers xmlsec document-tools oidc-provider screenshots

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/opi db upgrade
	$(BIN)/opi demo
	$(BIN)/opi serve --host $(HOST) --port $(PORT)

test: $(STAMP) browsers xmlsec document-tools oidc-provider
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# The browser tests drive Debian's chromium through Playwright; no browser is ever downloaded.
browsers:
	@test -x /usr/bin/chromium || { $(APT) update -q && \
		DEBIAN_FRONTEND=noninteractive $(APT) install -y -q chromium; }

# SAML signatures are made and checked by Debian's xmlsec1, which pysaml2 runs (README "SAML").
xmlsec:
	@test -x /usr/bin/xmlsec1 || { $(APT) update -q && \
		DEBIAN_FRONTEND=noninteractive $(APT) install -y -q xmlsec1; }

# Documents: libmagic decides a file's type from its content; the malware tests start ClamAV's
# clamd with a tiny signature database of their own (no signature download).
document-tools:
	@{ test -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 || ldconfig -p | grep -q libmagic.so.1; } && \
		test -x /usr/sbin/clamd || { $(APT) update -q && \
		DEBIAN_FRONTEND=noninteractive $(APT) install -y -q libmagic1 clamav-daemon; }

# The tests' OpenID provider: npm `oidc-provider`, pinned by tests/oidc_provider/package-lock.json,
# installed into that folder's node_modules (again only when the lock file is newer).
OIDC_PROVIDER := tests/oidc_provider
oidc-provider:
	@command -v npm >/dev/null || { $(APT) update -q && \
		DEBIAN_FRONTEND=noninteractive $(APT) install -y -q nodejs npm; }
	@test $(OIDC_PROVIDER)/node_modules/.package-lock.json -nt $(OIDC_PROVIDER)/package-lock.json || \
		npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --loglevel=error

# The README's screenshots (desktop and 390 px) of the demo data, into docs/screenshots/.
screenshots: $(STAMP) browsers
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

# Benchmarks against the physical floor (bench/, README "Benchmarks"): wrk from Debian, a local
# PostgreSQL (started when down), data generated once into a cached template database.
# `make bench BENCH_ARGS="--quick transition"` runs a subset on tiny data.
BENCH_ARGS ?=
bench: $(STAMP)
	@command -v wrk >/dev/null || { $(APT) update -q && \
		DEBIAN_FRONTEND=noninteractive $(APT) install -y -q wrk; }
	@pg_isready -h 127.0.0.1 -p 5432 -q || \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -1) main start
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) opi.db opi.db-wal opi.db-shm .pytest_cache .mypy_cache .ruff_cache
