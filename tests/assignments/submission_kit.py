"""Build the test submissions of an assignment from its generated student notebook.

A submission is the student notebook with some answer cells filled in and, for the tampering ones,
one extra cell right after the imports.  The filled-in code comes from
``submissions/<name>/correct.py``: a correct solution written independently of the official one,
whose top-level ``def``s replace the answer cells that define the same names (helpers whose names no
answer cell defines go into a cell of their own before the first answer).  The tampering cells are
``tampering/<kind>.py``; ``$names`` in them stands for the graded function names, ``$repo`` and
``$out`` for the repository and the grades folder.
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ANSWER_TAG = "otter_answer_cell"
TAMPERING = sorted(p.stem for p in (HERE / "tampering").glob("*.py"))


def alternative_solution(name: str) -> dict[str, str]:
    """``{function name: its source}`` from ``submissions/<name>/correct.py``, in file order."""
    source = (HERE / "submissions" / name / "correct.py").read_text()
    tree = ast.parse(source)
    return {node.name: ast.get_source_segment(source, node) for node in tree.body
            if isinstance(node, ast.FunctionDef)}


def defined_names(source: str) -> list[str]:
    return re.findall(r"^def (\w+)", source, flags=re.M)


def answer_cells(notebook) -> list[int]:
    return [i for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and ANSWER_TAG in cell.metadata.get("tags", [])]


def filled(student: Path, name: str, questions: list[list[str]] | None = None, break_first: bool = False):
    """The student notebook with the answers to ``questions`` (lists of function names; all if None)
    filled in from the alternative solution; ``break_first`` makes the first answer cell raise."""
    notebook = nbformat.read(student, as_version=4)
    solution = alternative_solution(name)
    wanted = None if questions is None else {f for names in questions for f in names}
    cells = answer_cells(notebook)
    in_cells = {f for i in cells for f in defined_names(notebook.cells[i].source)}
    for i in cells:
        names = [f for f in defined_names(notebook.cells[i].source) if f in solution]
        if names and (wanted is None or set(names) & wanted):
            notebook.cells[i].source = "\n\n\n".join(solution[f] for f in names)
    if break_first:
        first = cells[0]
        notebook.cells[first].source = "raise RuntimeError('a bug in the first answer')\n" + notebook.cells[first].source
    helpers = [source for f, source in solution.items() if f not in in_cells]
    if helpers:
        notebook.cells.insert(cells[0], nbformat.v4.new_code_cell("\n\n\n".join(helpers)))
    return notebook


def with_cell(student: Path, code: str):
    """The untouched student notebook with ``code`` as its last cell (where it overrides the most)."""
    notebook = nbformat.read(student, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(code))
    return notebook


def tampering_code(kind: str, graded_names: list[str], out: Path) -> str:
    template = string.Template((HERE / "tampering" / f"{kind}.py").read_text())
    return template.safe_substitute(names=repr(sorted(graded_names)), repo=str(ROOT), out=str(out))


def write_submissions(student: Path, name: str, spec: dict, folder: Path, out: Path,
                      tampering: bool = True) -> dict[str, str]:
    """Write every test submission of ``name`` into ``folder``; return ``{id: what it is}``."""
    folder.mkdir(parents=True, exist_ok=True)
    questions = [q for q, info in spec["questions"].items() if not info["manual"]]
    functions = {q: sorted({c["name"] for c in spec["questions"][q]["cases"] if c["kind"] == "function"})
                 for q in questions}
    graded = sorted({f for names in functions.values() for f in names})
    kinds = {
        "correct": filled(student, name),
        "untouched": nbformat.read(student, as_version=4),
        "partial": filled(student, name, [functions[questions[0]]]),
        "first_error": filled(student, name, break_first=True),
        "hang": with_cell(student, "while True:\n    pass"),
    }
    if tampering:
        for kind in TAMPERING:
            kinds[f"tamper_{kind}"] = with_cell(student, tampering_code(kind, graded, out))
    for submission, notebook in kinds.items():
        nbformat.write(notebook, folder / f"{submission}.ipynb")
    # the browser's name for a second download: the notebook must still work under it
    nbformat.write(kinds["correct"], folder / "correct renamed (1).ipynb")
    return {k: k for k in kinds} | {"correct renamed (1)": "correct"}


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())
