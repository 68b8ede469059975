# One entry point for working on kg. `make` lists the targets; each runs in the project's venv (.venv),
# which `make venv` makes (the same install .ci/run does).
PY ?= .venv/bin/python
BIN = $(dir $(PY))

.PHONY: help venv test fast lint format types check bench accuracy identity
help:
	@echo "make venv      the venv with kg, its tests and its checkers (.venv)"
	@echo "make test      every test (starts Oxigraph, kg serve, Virtuoso and Chromium where installed)"
	@echo "make fast      the tests that need neither Chromium nor Virtuoso"
	@echo "make lint      ruff: formatting and lint"
	@echo "make format    ruff: format the code"
	@echo "make types     mypy"
	@echo "make check     lint, types and every test, as CI runs them"
	@echo "make bench     the scale benchmark at 1,000 pages (benchmarks/run.py)"
	@echo "make accuracy  the parser on the real pages beside the checkout (../shared/realdata)"
	@echo "make identity  who is who on the real pages beside the checkout (../shared/identity)"

venv:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'

test:
	$(PY) -m pytest

fast:
	$(PY) -m pytest -m "not chromium and not virtuoso"

lint:
	$(BIN)ruff format --check kg tests benchmarks
	$(BIN)ruff check kg tests benchmarks

format:
	$(BIN)ruff format kg tests benchmarks
	$(BIN)ruff check --fix kg tests benchmarks

types:
	$(BIN)mypy

check: lint types test

bench:
	$(PY) benchmarks/run.py --pages 1000

accuracy:
	$(PY) benchmarks/accuracy.py ../shared/realdata/pages ../shared/realdata/expected.json

identity:
	$(PY) benchmarks/identity.py ../shared/identity
