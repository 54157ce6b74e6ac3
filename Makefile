# papertide — the two commands a newcomer needs: `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install run test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[semantic,postgres,redis,test,bench]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install papertide with its extras (quick when done)

run: install  ## load the demo corpus, build the indexes, serve http://127.0.0.1:8000
	$(BIN)/papertide load-demo
	$(BIN)/papertide serve

test: install  ## run the whole test suite
	$(BIN)/python -m pytest

bench: install  ## run every benchmark in bench/
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data build src/*.egg-info
