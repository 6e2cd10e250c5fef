# The two commands a newcomer needs:  make book   and   make test
# Everything is installed into .venv from pyproject.toml, pinned by constraints.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := book,pdf,widgets,notebooks,lab,test,assignments,release

# The book: Jupyter Book 1, warnings are errors; executed notebooks are cached in _build/.jupyter_cache.
JB_FLAGS  := --warningiserror --nitpick --keep-going
JB_EXTRA  ?=
NOTEBOOKS := _build/notebooks
NBVAL     := --nbval-lax --nbval-current-env --nbval-cell-timeout=120
CHROMIUM  := /usr/bin/chromium
PDF       := _build/pdf/gmm-em-book.pdf
LAB_ARGS  ?=
LAB_ROOT  ?= $(CURDIR)

.PHONY: help install book pdf notebooks lab test test-library test-book test-pdf browser poppler axe assignments grade bench dist constraints clean

help:
	@echo "make book         build the HTML book into _build/html"
	@echo "make pdf          build the book as one PDF: $(PDF)"
	@echo "make test         run every test: library, notebooks, built book in a browser, assignments"
	@echo "make test-book    build the book and test it in headless Chromium only"
	@echo "make lab          open the chapters as notebooks in JupyterLab (sliders live)"
	@echo "make assignments  generate student, autograder and Gradescope versions into _build/assignments"
	@echo "make grade ASSIGNMENT=a1_e_step SUBMISSIONS=<folder> [OUT=grades/a1_e_step] [TIMEOUT=300]"
	@echo "make bench        time gmmlib against scikit-learn"
	@echo "make dist         build gmmlib's wheel and sdist into dist/ and check them with twine"

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

# JupyterLab with .md chapters opening as notebooks (jupytext), MyST rendered in Markdown cells
# (jupyterlab-myst) and live ipywidgets.  Saving a chapter leaves it unchanged (see
# tools/lab_roundtrip.py).  LAB_ROOT serves another folder (the tests use a scratch copy).
lab: install
	$(BIN)/python tools/lab_setup.py
	$(BIN)/jupyter lab --ServerApp.root_dir="$(LAB_ROOT)" --ServerApp.default_url=/lab/tree/book \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

# Debian's chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# axe-core, the accessibility checker the browser tests inject into every page: a pinned version
# from the npm registry into _build/test-vendor (served by the test server only, not part of the site).
axe:
	$(PYTHON) tools/fetch_axe.py

# poppler's pdftotext, pdfinfo, pdffonts, pdfimages and pdftoppm for the PDF tests.
poppler:
	@if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  echo "Installing Debian's poppler-utils for the PDF tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y poppler-utils; \
	fi

# Every test, in three pytest processes side by side (tools/run_tests.py prints each group's
# output and then the total): the library, the package (with the reader notebooks run in a
# fresh venv from the wheel) and the PDF (poppler's tools); the built book in Chromium, JupyterLab, and every chapter executed
# by nbval (each notebook's execution time is printed); the assignments, built and graded in
# their own environment.  The book is re-read in full here (--all; executed outputs still come
# from the cache), so every warning counts, not only those of pages changed since the last build.
TEST_GROUPS := \
  library="tests/library tests/test_packaging.py tests/packaging tests/pdf" \
  book="tests/book tests/lab $(NOTEBOOKS) $(NBVAL)" \
  assignments="tests/assignments"
test: JB_EXTRA := --all
test: install browser poppler axe book pdf notebooks
	BOOK_TESTS_REQUIRED=1 $(BIN)/python tools/run_tests.py $(TEST_GROUPS)

test-book: install browser axe book
	BOOK_TESTS_REQUIRED=1 $(BIN)/python -m pytest tests/book

test-pdf: install poppler pdf
	BOOK_TESTS_REQUIRED=1 $(BIN)/python -m pytest tests/pdf

# The assignments have their own environment, .venv-assignments, with only what they need (the
# `assignments` extra: otter-grader, jupytext, matplotlib, scikit-learn) and gmmlib installed from
# the wheel built from this checkout, the same wheel the Gradescope zips carry.  Grading runs each
# submission from that environment in a sandbox where this repository is hidden.
AVENV   := .venv-assignments
ABIN    := $(AVENV)/bin
ASTAMP  := $(AVENV)/.installed
WHEEL_DIR := _build/wheel
ASSIGNMENTS_OUT ?= _build/assignments
ASSIGNMENT ?=
SUBMISSIONS ?=
OUT     ?= grades/$(ASSIGNMENT)
TIMEOUT ?= 300

$(ASTAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(AVENV)
	$(ABIN)/python -m pip install --quiet --upgrade pip
	$(ABIN)/python -m pip install --quiet -c constraints.txt ".[assignments]"
	touch $@

# Student, autograder, judge and Gradescope versions of every assignment, generated from its one
# source assignments/<name>/<name>.md into $(ASSIGNMENTS_OUT)/<name>/; each solution is graded by the
# judge and must score full marks (see assignments/README.md).
assignments: $(ASTAMP)
	rm -rf $(WHEEL_DIR) build
	$(ABIN)/python -m pip wheel --quiet --no-deps -w $(WHEEL_DIR) .
	rm -rf build
	$(ABIN)/python -m pip install --quiet --no-deps --force-reinstall $(WHEEL_DIR)/gmmlib-*.whl
	$(ABIN)/python tools/build_assignments.py $(ASSIGNMENTS_OUT) --wheel $(WHEEL_DIR)/gmmlib-*.whl

# Grade every SUBMISSIONS/*.ipynb of ASSIGNMENT, each in its own sandbox with a TIMEOUT in seconds,
# two at a time: OUT/grades.csv, OUT/flagged.txt, OUT/feedback/<id>.txt (returnable to students).
grade:
	@if [ -z "$(ASSIGNMENT)" ] || [ -z "$(SUBMISSIONS)" ]; then \
	  echo "usage: make grade ASSIGNMENT=<name> SUBMISSIONS=<folder of .ipynb> [OUT=grades/<name>] [TIMEOUT=300]"; exit 2; fi
	@if [ ! -f $(ASSIGNMENTS_OUT)/$(ASSIGNMENT)/judge/references.json ] || [ ! -x $(ABIN)/python ]; then \
	  echo "no judge for $(ASSIGNMENT) in $(ASSIGNMENTS_OUT): run make assignments first"; exit 2; fi
	$(ABIN)/python tools/grading/grade.py $(ASSIGNMENTS_OUT)/$(ASSIGNMENT)/judge "$(SUBMISSIONS)" "$(OUT)" --timeout $(TIMEOUT)

bench: install
	$(BIN)/python benchmarks/bench_vs_sklearn.py

# gmmlib's wheel and sdist, as the release workflow (.github/workflows/release.yml) builds them.
dist: install
	rm -rf dist build
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python -m twine check --strict dist/*

constraints: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^gmmlib' > constraints.new
	@echo "wrote constraints.new; review and move it over constraints.txt"

clean:
	rm -rf _build .pytest_cache
