# The two commands that matter:  `make run`  and  `make test`  (both set everything up first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run sandbox test lint typecheck unit catalogs pot bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Compile every translation catalog (.po -> .mo); the bot refuses to start without them.
catalogs: $(STAMP)
	@if ls locales/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --domain messages --directory locales --statistics; \
	fi

setup: $(STAMP) catalogs

## Run the bot; with no TELEGRAM_BOT_TOKEN it opens the terminal sandbox.
run: setup
	$(BIN)/imm-bot run

sandbox: setup
	$(BIN)/imm-bot sandbox

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -q

## Everything CI runs: lint, types, the whole test suite.
test: lint typecheck unit

## Re-extract the gettext template after changing user-facing strings.
pot: $(STAMP)
	$(BIN)/pybabel extract --mapping-file pyproject.toml --no-location --sort-output \
		--project imm-bot --output-file locales/messages.pot bot conversations

bench: setup
	$(BIN)/python -m bench.conversation --parents 100
	$(BIN)/python -m bench.analyse
	$(BIN)/python -m bench.dispatch --messages 10000 --limited 600 --parents 100000
	$(BIN)/python -m bench.safeguarding_eval

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
