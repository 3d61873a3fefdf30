# Two commands on a fresh machine (Python 3.11):
#   make run    set up .venv and run the fine-tuning DAG end to end on resources/
#   make test   set up .venv and run the test suite
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench-quality clean

$(BIN)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/pip check
	touch $@

setup: $(BIN)/.installed

run: setup
	HF_HUB_OFFLINE=1 $(BIN)/python scripts/run_dag.py

test: setup
	$(BIN)/ruff check .
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf artifacts airflow_home .pytest_cache
