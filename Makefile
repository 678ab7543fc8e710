# Every target creates .venv if it is missing and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean model

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/commsignal demo --out ./commsignal-demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check commsignal connectors nlp tests bench
	$(BIN)/ruff format --check commsignal connectors nlp tests bench
	$(BIN)/mypy commsignal connectors nlp

bench: $(STAMP)
	$(BIN)/python -m bench.run

model: $(STAMP)
	$(BIN)/python -m nlp.train

clean:
	rm -rf $(VENV) commsignal-demo .pytest_cache .mypy_cache .ruff_cache
