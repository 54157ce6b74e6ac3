# papertide — the two commands a newcomer needs: `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
DEV     = $(VENV)/.installed-dev-stamp

.PHONY: install install-dev run test lint fuzz bench clean

# What `make run` needs: papertide with search by meaning (ONNX Runtime, no PyTorch).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[semantic]'
	touch $(STAMP)

# What tests, lint and benchmarks add (browsers, PostgreSQL and Redis clients, linters).
$(DEV): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[semantic,postgres,redis,test,lint,bench]'
	touch $(DEV)

install: $(STAMP)  ## create .venv and install papertide to run it (quick when done)

install-dev: $(DEV)  ## add what the tests, lint and benchmarks need

ADMIN  ?= admin@example.org

run: install  ## load the demo corpus, build the indexes, serve http://127.0.0.1:8000
	$(BIN)/papertide load-demo
	@$(BIN)/papertide admin grant $(ADMIN)
	@echo "Sign in as $(ADMIN) (outbox, admin page) within 15 minutes:"
	@$(BIN)/papertide admin link $(ADMIN)
	@echo "(a new link: $(BIN)/papertide admin link $(ADMIN))"
	$(BIN)/papertide serve

# 0: the suite runs in this process; 2: in two (pytest-xdist), the embedding tests in one
# of them. Two were not clearly faster on a 2-core machine busy with other work.
TEST_PROCESSES ?= 0

test: install-dev  ## run the whole test suite (SQLite, and PostgreSQL / Redis where they run)
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadgroup

lint: install-dev  ## ruff, mypy (types), the import contracts (pyproject.toml), the README's settings table
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/cog --check README.md

fuzz: install-dev  ## the property and API-schema tests with far more examples, drawn anew (minutes)
	PAPERTIDE_FUZZ=1 $(BIN)/python -m pytest -m fuzz

bench: install-dev  ## run every benchmark in bench/
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data build src/*.egg-info
