"""The reader notebooks (download button, Binder, Colab): clean plain-Jupyter notebooks that run.

Static checks read the notebooks ``make book`` writes to ``_build/html/_sources`` and compare
them with their MyST sources; the run check executes every one, top to bottom, in a fresh venv
that has only the wheel built from this checkout (``gmmlib[notebooks]``, pinned by
constraints.txt) and a kernel, from a folder outside the repository.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
BOOK_URL = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Book"]
MAX_BYTES = 500_000

# MyST that plain Jupyter shows raw: roles, directive fences, targets, directive options,
# labelled display maths and substitutions.
MYST_PATTERNS = {
    "role": re.compile(r"\{[a-z][\w:-]*\}`"),
    "directive fence": re.compile(r"^\s*(```+|~~~+|:::+)\s*\{[\w:-]+\}", re.M),
    "target (label)=": re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.M),
    "directive option": re.compile(r"^\s*:(label|class|tags|name|caption|nonumber|dropdown|figwidth):", re.M),
    "labelled equation": re.compile(r"\$\$\s*\([\w:-]+\)"),
    "substitution": re.compile(r"\{\{\s*[\w.]+\s*\}\}"),
}
DETAILS = re.compile(r"<details>.*?</details>", re.S)


def source_of(notebook: Path) -> Path:
    return ROOT / notebook.relative_to(SITE / "_sources").with_suffix(".md")


def load(notebook: Path) -> dict:
    return json.loads(notebook.read_text(encoding="utf8"))


def markdown_of(nb: dict) -> str:
    return "\n\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                       for c in nb["cells"] if c["cell_type"] == "markdown")


def text(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def source_cells(source: Path):
    """The MyST chapter's cells, and the code cells that are solutions or hidden checks."""
    cells = jupytext.read(source).cells
    removed, in_solution, gated = [], False, []
    for cell in cells:
        if cell.cell_type == "markdown":  # one cell may end a solution and start the next
            start, end = cell.source.rfind("{solution-start}"), cell.source.rfind("{solution-end}")
            if start != end:
                in_solution = start > end
        elif "remove-cell" in cell.metadata.get("tags", []):
            removed.append(cell.source)
        elif in_solution:
            gated.append(cell.source)
    return cells, removed, gated


def notebook_params():
    found = sorted((SITE / "_sources").rglob("*.ipynb"))
    return [pytest.param(p, id=p.stem) for p in found] or [pytest.param(None, id="no-notebooks")]


NOTEBOOKS = notebook_params()


@pytest.fixture
def notebook(request, reader_notebooks) -> Path:
    return request.param


@pytest.mark.parametrize("notebook", NOTEBOOKS, indirect=True)
def test_no_myst_syntax_is_left(notebook):
    markdown = markdown_of(load(notebook))
    found = {name: pattern.findall(markdown)[:3] for name, pattern in MYST_PATTERNS.items() if pattern.search(markdown)}
    assert found == {}, f"{notebook.name}: MyST that plain Jupyter shows raw"


@pytest.mark.parametrize("notebook", NOTEBOOKS, indirect=True)
def test_hidden_check_cells_are_gone_and_hide_input_cells_are_collapsed(notebook):
    nb = load(notebook)
    code = [text(c) for c in nb["cells"] if c["cell_type"] == "code"]
    cells, removed, _ = source_cells(source_of(notebook))
    assert not any("remove-cell" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert [s for s in removed if s in code and "assert" in s] == [], "hidden assertion cells are in the notebook"
    setup = [text(c) for c in nb["cells"] if "book-hidden-setup" in c["metadata"].get("tags", [])]
    assert not any(isinstance(n, ast.Assert) for s in setup for n in ast.walk(ast.parse(s))), "a kept set-up cell checks"
    assert all(c["metadata"]["jupyter"]["source_hidden"] for c in nb["cells"]
               if "book-hidden-setup" in c["metadata"].get("tags", []))
    hidden = [c for c in nb["cells"] if "hide-input" in c["metadata"].get("tags", [])]
    assert all(c["metadata"].get("jupyter", {}).get("source_hidden") for c in hidden)
    kept = [c.source for c in cells if c.cell_type == "code" and "remove-cell" not in c.metadata.get("tags", [])]
    assert len(hidden) == sum("hide-input" in c.metadata.get("tags", []) for c in cells)
    assert set(kept) - set(code) <= set(source_cells(source_of(notebook))[2]), "a visible code cell went missing"
    assert len(setup) < len(removed) or not removed, "only the hidden cells later cells need come back"


@pytest.mark.parametrize("notebook", NOTEBOOKS, indirect=True)
def test_no_widget_state_no_outputs_and_small(notebook):
    nb = load(notebook)
    assert "widgets" not in nb["metadata"]
    assert all(c.get("outputs", []) == [] for c in nb["cells"] if c["cell_type"] == "code")
    assert notebook.stat().st_size <= MAX_BYTES
    assert "application/vnd.jupyter.widget" not in notebook.read_text(encoding="utf8")


@pytest.mark.parametrize("notebook", NOTEBOOKS, indirect=True)
def test_solutions_are_folded(notebook):
    nb = load(notebook)
    markdown = markdown_of(nb)
    source = source_of(notebook).read_text()
    solutions = len(re.findall(r"^```\{solution(-start)?\}", source, re.M))
    assert len(re.findall(r"<details><summary>Solution", markdown)) == solutions
    outside = DETAILS.sub("", markdown)
    assert "Solution to" not in outside and "<summary>" not in outside
    code = [text(c) for c in nb["cells"] if c["cell_type"] == "code"]
    gated = source_cells(source_of(notebook))[2]
    assert [g for g in gated if g in code] == [], "a solution's code is a visible cell"
    assert all(g.strip() in markdown for g in gated), "a solution's code is missing from its fold"


@pytest.mark.parametrize("notebook", NOTEBOOKS, indirect=True)
def test_equations_keep_their_numbers_and_references_link_to_the_online_book(notebook):
    markdown = markdown_of(load(notebook))
    source = source_of(notebook).read_text()
    labelled = len(re.findall(r"\$\$\s*\([\w:-]+\)\s*$", source, re.M))
    tags = re.findall(r"\\tag\{([\d.]+)\}", markdown)
    assert len(tags) == labelled, "every labelled equation shows its number"
    assert len(set(tags)) == len(tags), "equation numbers repeat"
    page = source_of(notebook).relative_to(ROOT).with_suffix(".html").as_posix()
    assert f"]({BOOK_URL}{page})" in markdown, "the notebook links its page of the online book"
    if "{ref}" in source or "{eq}" in source or "{numref}" in source:
        assert re.search(re.escape(BOOK_URL) + r"book/[\w]+\.html#[\w-]+\)", markdown), "no link to an anchor"
    if "{cite" in source:
        cited = r"\(\[[A-Z][^\]]*, \d{4}[a-z]?\]\(" + re.escape(BOOK_URL) + r"book/bibliography\.html#[\w-]+\)"
        assert re.search(cited, markdown), "citations read (Author, year) and link to the bibliography"


@pytest.mark.parametrize("notebook", NOTEBOOKS, indirect=True)
def test_first_cell_installs_the_released_extra_only_where_gmmlib_is_missing(notebook):
    import gmmlib

    first = load(notebook)["cells"][0]
    assert "gmm-book-setup" in first["metadata"]["tags"]
    source = text(first)
    assert f'"gmmlib[notebooks]=={gmmlib.__version__}"' in source
    assert 'find_spec("gmmlib") is None' in source and "git" not in source.replace("gmmlib", "")
    assert "enable_custom_widget_manager" in source


def test_binder_installs_the_same_pinned_extra():
    import gmmlib

    binder = ROOT / "_build" / "binder"
    if not (binder / "requirements.txt").is_file():
        pytest.skip("no _build/binder: run `make book`")
    requirements = (binder / "requirements.txt").read_text().splitlines()
    assert f"gmmlib[notebooks]=={gmmlib.__version__}" in requirements
    assert "-c constraints.txt" in requirements
    assert (binder / "constraints.txt").read_text() == (ROOT / "constraints.txt").read_text()


# ----------------------------------------------------------------------------- run them

RUNNER = r'''
import json, sys
import nbformat
from nbclient import NotebookClient
path, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import gmmlib, json, sys\nprint(gmmlib.__file__)\nprint(json.dumps(sys.path))"))
error = None
try:
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
except Exception as exc:  # report which cell failed
    error = f"{type(exc).__name__}: {str(exc)[-2000:]}"
setup_outputs = nb.cells[0].get("outputs", [])
last = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))
json.dump({"error": error, "setup_outputs": setup_outputs, "where": last}, open(out, "w"))
'''


def run_in_fresh_venv(venv: Path, notebook: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="reader-nb-") as folder:
        folder = Path(folder)
        copy = folder / notebook.name
        copy.write_text(notebook.read_text(encoding="utf8"), encoding="utf8")
        (folder / "runner.py").write_text(RUNNER)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "PIP_"))}
        env.update(
            PATH=f"{venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}",
            JUPYTER_PATH=str(folder / "jupyter"), JUPYTER_DATA_DIR=str(folder / "jupyter"),
            JUPYTER_CONFIG_DIR=str(folder / "jupyter-config"), IPYTHONDIR=str(folder / "ipython"),
            MPLBACKEND="Agg", HOME=str(folder),
            # if the setup cell tried to install anything it would fail: there is no index
            PIP_NO_INDEX="1", PIP_FIND_LINKS=str(folder / "no-wheels"),
        )
        result = subprocess.run(
            [str(venv / "bin" / "python"), "runner.py", copy.name, "result.json"],
            cwd=folder, env=env, capture_output=True, text=True, timeout=900,
        )
        if not (folder / "result.json").is_file():
            return {"error": f"runner failed: {result.stderr[-2000:]}", "setup_outputs": [], "where": ""}
        return json.loads((folder / "result.json").read_text())


@pytest.fixture(scope="session")
def executed(reader_venv, reader_notebooks) -> dict[str, dict]:
    """Every reader notebook run in the fresh venv, two at a time (the machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda nb: (nb.name, run_in_fresh_venv(reader_venv, nb)), reader_notebooks)
        return dict(results)


@pytest.mark.parametrize("notebook", NOTEBOOKS, indirect=True)
def test_runs_top_to_bottom_in_a_fresh_venv_with_only_the_wheel(notebook, executed, reader_venv):
    result = executed[notebook.name]
    assert result["error"] is None, f"{notebook.name} failed in the fresh venv:\n{result['error']}"
    assert result["setup_outputs"] == [], "the setup cell should do nothing where gmmlib is installed"
    gmmlib_file, sys_path = result["where"].splitlines()[:2]
    assert gmmlib_file.startswith(str(reader_venv)), f"gmmlib imported from {gmmlib_file}"
    on_path = [entry for entry in json.loads(sys_path) if entry and Path(entry).resolve() == ROOT]
    assert on_path == [], "the repository is on the notebook's sys.path"


def test_the_fresh_venv_has_the_wheel_not_the_checkout(reader_venv, dist):
    result = subprocess.run(
        [str(reader_venv / "bin" / "python"), "-c", "import gmmlib, importlib.metadata as m; "
         "print(gmmlib.__file__); print(m.version('gmmlib')); print(m.version('pandas'))"],
        cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    location, version, pandas = result.stdout.split()
    assert location.startswith(str(reader_venv)) and "site-packages" in location
    assert version == dist.wheel.name.split("-")[1]
    pinned = dict(l.split("==") for l in (ROOT / "constraints.txt").read_text().splitlines() if "==" in l)
    assert pandas == pinned["pandas"], "the venv is not pinned by constraints.txt"
