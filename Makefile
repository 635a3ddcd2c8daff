# Tongban — two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && echo $$p && break; done)
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export PORT

.PHONY: demo test install system-deps browser-deps lint format bench clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11 或更新版本 (Python 3.11+ is required)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $@

install: $(BIN)/.installed

system-deps:
	@scripts/system-deps.sh

demo: install system-deps
	$(BIN)/tongban demo --port $(PORT)

browser-deps: system-deps
	@scripts/browser-deps.sh

test: install system-deps browser-deps
	@scripts/run-tests.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@scripts/run-bench.sh

clean:
	rm -rf $(VENV) var tests/browser/axe/node_modules
