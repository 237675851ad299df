# The two commands of the README: `make demo` opens the demo room, `make test` runs the tests.
# Both are idempotent: scripts/setup.sh installs only what is missing.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test setup clean

setup:
	@bash scripts/setup.sh

demo: setup
	@bash scripts/run-demo.sh $(ARGS)

test: setup
	@bash scripts/run-tests.sh $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
