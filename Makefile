# Quick start: `make run` and `make test`, each setting up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve test test-fast lint validate clean

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

# The workbench in the browser: http://127.0.0.1:8765/ (edit a scenario, see the plan re-solved, save, compare,
# sweep; docs/workbench.md). Ctrl-C stops it.
serve: $(STAMP)
	$(BIN)/optimiser serve

validate: $(STAMP)
	$(BIN)/optimiser validate

# The whole suite, slow tests included (what CI runs), after the linter.
test: lint
	$(BIN)/python -m pytest -q

# The edit-test loop: everything but the tests marked slow (CI still runs them through `make test`).
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check optimiser tests benchmarks

# Removes .venv and the result directories the optimiser wrote (a manifest.json or sweep.json); anything else
# under results/ is kept and named.
clean:
	rm -rf $(VENV)
	@for d in results/*/; do \
		[ -d "$$d" ] || continue; \
		if [ -f "$$d/manifest.json" ] || [ -f "$$d/sweep.json" ]; then rm -rf "$$d"; else echo "kept $$d (not written by optimiser)"; fi; \
	done
