# Quick start: `make run` and `make test`, each setting up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test validate clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The default study: the base scenario's plan, then the dependence-versus-budget frontier ($0-25B x lead-time
# shifts), each with its report.html.
run: $(STAMP)
	$(BIN)/optimiser run
	$(BIN)/optimiser sweep inputs/sweeps/budget_frontier.toml

validate: $(STAMP)
	$(BIN)/optimiser validate

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV)
	find results -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
