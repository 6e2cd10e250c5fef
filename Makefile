# The two commands a newcomer needs:  make book   and   make test
# Everything is installed into .venv from pyproject.toml, pinned by constraints.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := book,widgets,lab,test,assignments

.PHONY: help install book lab test test-library test-book browser assignments bench constraints clean

help:
	@echo "make book         build the HTML book into _build/html"
	@echo "make test         run every test: library, notebooks, built book in a browser, assignments"
	@echo "make lab          open the chapters as notebooks in JupyterLab (sliders live)"
	@echo "make assignments  generate student and autograder versions into _build/assignments"
	@echo "make bench        time gmmlib against scikit-learn"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]"
	touch $@

install: $(STAMP)

test-library: install
	$(BIN)/python -m pytest tests/library tests/test_packaging.py

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_vs_sklearn.py

constraints: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^gmmlib' > constraints.new
	@echo "wrote constraints.new; review and move it over constraints.txt"

clean:
	rm -rf _build .pytest_cache
