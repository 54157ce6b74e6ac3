# papertide — the two commands a newcomer needs: `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install run test lint fuzz bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[semantic,postgres,redis,test,lint,bench]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install papertide with its extras (quick when done)

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

test: install  ## run the whole test suite (SQLite, and PostgreSQL / Redis where they run)
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadgroup

lint: install  ## ruff (style, bugs, imports), mypy (types), the README's generated settings table
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/cog --check README.md

fuzz: install  ## the property and API-schema tests with far more examples, drawn anew (minutes)
	PAPERTIDE_FUZZ=1 $(BIN)/python -m pytest -m fuzz

bench: install  ## run every benchmark in bench/
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data build src/*.egg-info
