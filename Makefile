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

# The digest's browser check needs Chromium: installed quietly when missing, only as root with
# apt-get, never failing the target (the test skips with the reason when there is no browser).
test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    { apt-get install -y -qq chromium >/dev/null 2>&1 || \
	      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }; }; } || \
	  echo "note: no Chromium; the digest browser check will be skipped"
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
