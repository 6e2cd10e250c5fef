"""The judge specification of an assignment: its ``# JUDGE`` raw cells, read from the source notebook.

An assignment source ``assignments/<name>/<name>.md`` holds, right after each auto-graded
question's otter tests, a raw cell::

    # JUDGE
    question: q1
    forbid_imports: [scipy, sklearn, gmmlib]
    cases:
      - function: normal_pdf
        args: "np.array([-1.0, 0.0, 1.0]), 0.0, 1.0"

``judge_spec`` collects these cells (with the points of every question, auto-graded or manual, from
otter's ``# BEGIN QUESTION`` cells) into one plain dictionary, and ``strip_judge_cells`` removes
them, so neither Otter Assign nor a student ever sees them.  The format is documented in
``assignments/README.md``.
"""

from __future__ import annotations

import yaml

JUDGE_MARKER = "# JUDGE"
CASE_KINDS = ("function", "variable")
CASE_KEYS = {"function", "variable", "args", "kwargs", "expression", "rtol", "atol", "compare",
             "seed_before_call", "provide"}
QUESTION_KEYS = {"question", "cases", "forbid_imports", "forbid_calls"}
COMPARE_MODES = ("values", "shape_only")


def _first_line(cell) -> str:
    text = cell.source.strip()
    return text.splitlines()[0].strip() if text else ""


def is_judge_cell(cell) -> bool:
    return cell.cell_type == "raw" and _first_line(cell) == JUDGE_MARKER


def _body(cell) -> dict:
    return yaml.safe_load("\n".join(cell.source.strip().splitlines()[1:])) or {}


def _check_case(question: str, index: int, case: dict) -> dict:
    where = f"JUDGE cell of {question}, case {index + 1}"
    if not isinstance(case, dict):
        raise ValueError(f"{where}: a case is a mapping such as {{function: name, args: '...'}}")
    unknown = set(case) - CASE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(CASE_KEYS)}")
    kinds = [kind for kind in CASE_KINDS if kind in case]
    if len(kinds) != 1:
        raise ValueError(f"{where}: give exactly one of 'function' or 'variable'")
    if "variable" in case and ({"args", "kwargs", "expression", "provide"} & set(case)):
        raise ValueError(f"{where}: a 'variable' case reads a value; it takes no args/expression")
    if "expression" in case and ({"args", "kwargs"} & set(case)):
        raise ValueError(f"{where}: give either 'expression' (with f the function) or args/kwargs")
    compare = case.get("compare", "values")
    if compare not in COMPARE_MODES:
        raise ValueError(f"{where}: compare must be one of {COMPARE_MODES}, not {compare!r}")
    for key in ("args", "kwargs", "expression"):
        if key in case and not isinstance(case[key], str):
            raise ValueError(f"{where}: {key} is a Python expression written as a string")
    provide = case.get("provide", {})
    if not isinstance(provide, dict) or not all(isinstance(v, str) for v in provide.values()):
        raise ValueError(f"{where}: provide maps a name to a Python expression string")
    return {
        "kind": kinds[0],
        "name": case[kinds[0]],
        "args": case.get("args", ""),
        "kwargs": case.get("kwargs", "{}"),
        "expression": case.get("expression"),
        "rtol": float(case.get("rtol", 1e-7)),
        "atol": float(case.get("atol", 0.0)),
        "compare": compare,
        "seed_before_call": case.get("seed_before_call"),
        "provide": provide,
    }


def judge_spec(notebook) -> dict:
    """``{"questions": {name: {"points", "manual", "cases", "forbid_imports", "forbid_calls"}}}``.

    Raises ValueError when a JUDGE cell is malformed, names a question that does not exist, or an
    auto-graded (non-manual) question has no JUDGE cell.
    """
    questions: dict[str, dict] = {}
    for cell in notebook.cells:
        if cell.cell_type != "raw":
            continue
        first = _first_line(cell)
        if first == "# BEGIN QUESTION":
            body = _body(cell)
            questions[body["name"]] = {"points": float(body.get("points", 1)),
                                       "manual": bool(body.get("manual", False)),
                                       "cases": [], "forbid_imports": [], "forbid_calls": []}
        elif first == JUDGE_MARKER:
            body = _body(cell)
            name = body.get("question")
            if name not in questions:
                raise ValueError(f"JUDGE cell for {name!r}: put it after that question's "
                                 f"'# BEGIN QUESTION' cell (questions so far: {sorted(questions)})")
            unknown = set(body) - QUESTION_KEYS
            if unknown:
                raise ValueError(f"JUDGE cell of {name}: unknown keys {sorted(unknown)}")
            cases = body.get("cases") or []
            if not cases:
                raise ValueError(f"JUDGE cell of {name}: it needs at least one case")
            question = questions[name]
            question["cases"].extend(_check_case(name, i, c) for i, c in enumerate(cases))
            question["forbid_imports"] = list(body.get("forbid_imports", []))
            question["forbid_calls"] = list(body.get("forbid_calls", []))
    missing = [q for q, info in questions.items() if not info["manual"] and not info["cases"]]
    if missing:
        raise ValueError(f"auto-graded questions without a JUDGE cell: {missing}; add one after "
                         "their tests (or mark them manual: true)")
    return {"questions": questions}


def strip_judge_cells(notebook):
    """The notebook without its JUDGE cells (modified in place and returned)."""
    notebook.cells = [cell for cell in notebook.cells if not is_judge_cell(cell)]
    return notebook
