# The two commands a newcomer needs:  make book   and   make test
# Everything is installed into .venv from pyproject.toml, pinned by constraints.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := book,pdf,widgets,lab,test,assignments

# The book: Jupyter Book 1, warnings are errors; executed notebooks are cached in _build/.jupyter_cache.
JB_FLAGS  := --warningiserror --nitpick --keep-going
JB_EXTRA  ?=
NOTEBOOKS := _build/notebooks
NBVAL     := --nbval-lax --nbval-current-env --nbval-cell-timeout=120
CHROMIUM  := /usr/bin/chromium
PDF       := _build/pdf/gmm-em-book.pdf
LAB_ARGS  ?=

.PHONY: help install book pdf notebooks lab test test-library test-book test-pdf browser poppler assignments bench constraints clean

help:
	@echo "make book         build the HTML book into _build/html"
	@echo "make pdf          build the book as one PDF: $(PDF)"
	@echo "make test         run every test: library, notebooks, built book in a browser, assignments"
	@echo "make test-book    build the book and test it in headless Chromium only"
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

# Executed chapters are cached (_build/.jupyter_cache), so a rebuild with nothing changed is quick;
# tools/exec_cache.py empties the cache when gmmlib or the pinned stack changes.  A failed build
# drops Sphinx's saved environment, so the next build reports every warning again.
book: install
	$(BIN)/python tools/exec_cache.py
	$(BIN)/jupyter-book build . $(JB_FLAGS) $(JB_EXTRA) || { rm -rf _build/.doctrees; exit 1; }
	@echo
	@echo "The book is in _build/html. Open: file://$(CURDIR)/_build/html/index.html"

# The PDF edition: the single-page HTML build (same execution cache, same numbering, warnings
# are errors) printed by Chromium, see tools/print_pdf.py.  `make book` copies the PDF into the
# site (the "Download the book as a PDF" button links it); so does this target if the site exists.
pdf: install browser
	$(BIN)/python tools/exec_cache.py
	$(BIN)/jupyter-book build . --builder singlehtml $(JB_FLAGS) $(JB_EXTRA) || { rm -rf _build/.doctrees; exit 1; }
	$(BIN)/python tools/print_pdf.py _build/singlehtml $(PDF)
	@if [ -d _build/html ]; then cp $(PDF) _build/html/; fi
	@echo "The PDF is $(CURDIR)/$(PDF)"

# The chapters as .ipynb (jupytext) for nbval, in an ignored folder.
notebooks: install
	$(BIN)/python tools/convert_notebooks.py $(NOTEBOOKS)

# JupyterLab with .md chapters opening as notebooks (jupytext) and live ipywidgets.
lab: install
	$(BIN)/python tools/lab_setup.py
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --ServerApp.default_url=/lab/tree/book \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

# Debian's chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# poppler's pdftotext, pdfinfo, pdffonts, pdfimages and pdftoppm for the PDF tests.
poppler:
	@if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  echo "Installing Debian's poppler-utils for the PDF tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y poppler-utils; \
	fi

# One pytest run: the library and every other test under tests/, the built book in Chromium,
# the PDF with poppler's tools, and every chapter executed by nbval (each notebook's execution
# time is printed at the end).
# The book is re-read in full here (--all; executed outputs still come from the cache), so every
# warning counts, not only those of pages changed since the last build.
test: JB_EXTRA := --all
test: install browser poppler book pdf notebooks
	BOOK_TESTS_REQUIRED=1 $(BIN)/python -m pytest tests $(NOTEBOOKS) $(NBVAL)

test-book: install browser book
	BOOK_TESTS_REQUIRED=1 $(BIN)/python -m pytest tests/book

test-pdf: install poppler pdf
	BOOK_TESTS_REQUIRED=1 $(BIN)/python -m pytest tests/pdf

# Student and autograder versions of every assignment (otter-grader), generated from its one source
# assignments/<name>/<name>.md into _build/assignments/<name>/{source,student,autograder}; each
# solution is graded by its own autograder and must score full marks (see assignments/README.md).
assignments: install
	$(BIN)/python tools/build_assignments.py _build/assignments

bench: install
	$(BIN)/python benchmarks/bench_vs_sklearn.py

constraints: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^gmmlib' > constraints.new
	@echo "wrote constraints.new; review and move it over constraints.txt"

clean:
	rm -rf _build .pytest_cache
