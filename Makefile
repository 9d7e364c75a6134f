# perfstack — two commands matter: `make demo` (the main job) and `make test` (the suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DURATION ?= 60s
DEMO_FAULT ?= none
BENCH_ARGS ?=

.PHONY: help demo stack test lint generate check-generated deps venv bench clean

help:
	@echo "make demo    run the demo service + exporter + Prometheus + Alertmanager, a load test and the analyzer"
	@echo "make stack   start the same local stack and leave it running until Ctrl-C"
	@echo "make test    install everything needed and run lint + the whole test suite"
	@echo "make bench   run the benchmarks in bench/ (installs wrk, nginx, locust, peers); BENCH_ARGS=--quick for short runs"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Prometheus 2.x, Alertmanager and promtool/amtool from Debian; Chromium for the report screenshots.
deps:
	@scripts/install-deps.sh

generate: $(STAMP)
	$(PY) -m perfstack.generate

check-generated: $(STAMP)
	$(PY) -m perfstack.generate --check

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) deps lint
	$(PY) -m pytest -q tests

demo: $(STAMP) deps
	$(PY) -m demo.run --duration $(DEMO_DURATION) --fault $(DEMO_FAULT)

stack: $(STAMP) deps
	$(PY) -m demo.run --stack

bench: $(STAMP) deps
	@scripts/install-deps.sh --bench
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) reports .pytest_cache
