"""The course assignments: authored once, turned by otter-grader into student and autograder versions.

For every assignment under ``assignments/`` (see ``conftest.py`` for how they are built and graded):

* the MyST source survives the jupytext round trip and has public and hidden tests per question;
* (a) the solution notebook passes every test, public and hidden, when graded by the autograder;
* (b) the student notebook runs top to bottom without an error, yet scores 0 when graded untouched,
  so no test passes vacuously;
* (c) the student notebook contains no line of the solutions and no hidden test;
* (d) a notebook with only the first question solved scores exactly that question's points:
  more than 0, less than the total.
"""

from __future__ import annotations

import json
import re
import zipfile

import jupytext
import nbformat
import pytest
import yaml

from assignment_support import ASSIGNMENTS, build_assignments

pytestmark = pytest.mark.slow

SOURCES = build_assignments.SOURCES


def source_path(name):
    return SOURCES / name / f"{name}.md"


def parse_source(name):
    """Questions (points, public and hidden test counts) and solution lines of an assignment source."""
    notebook = jupytext.read(source_path(name))
    questions, solution_lines, config = {}, [], None
    question = None
    in_solution = in_tests = False
    for cell in notebook.cells:
        text = cell.source.strip()
        first = text.splitlines()[0].strip() if text else ""
        if cell.cell_type == "raw":
            body = "\n".join(text.splitlines()[1:])
            if first == "# ASSIGNMENT CONFIG":
                config = yaml.safe_load(body)
            elif first == "# BEGIN QUESTION":
                spec = yaml.safe_load(body)
                question = spec["name"]
                questions[question] = {"points": spec["points"], "public": 0, "hidden": 0, "solutions": 0}
            elif first == "# END QUESTION":
                question = None
            elif first == "# BEGIN SOLUTION":
                in_solution = True
            elif first == "# END SOLUTION":
                in_solution = False
            elif first == "# BEGIN TESTS":
                in_tests = True
            elif first == "# END TESTS":
                in_tests = False
            continue
        if cell.cell_type != "code":
            continue
        if in_tests:
            hidden = first.startswith("#") and re.search(r"\bhidden\b", first, re.IGNORECASE)
            questions[question]["hidden" if hidden else "public"] += 1
        elif in_solution:
            questions[question]["solutions"] += 1
            solution_lines.extend(_solution_lines(cell.source))
    return config, questions, solution_lines


def _solution_lines(source):
    """The lines otter removes from a solution cell: inside BEGIN/END SOLUTION, or ending in # SOLUTION."""
    lines, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("# BEGIN SOLUTION"):
            inside = True
        elif stripped.startswith("# END SOLUTION"):
            inside = False
        elif inside:
            lines.append(stripped)
        elif re.search(r"#\s*SOLUTION\s*$", stripped):
            code = re.sub(r"#\s*SOLUTION\s*$", "", stripped).strip()
            lines.append(code.split("=", 1)[1].strip() if re.match(r"^[\w.,\s\[\]]+=[^=]", code) else code)
    # Comments, blank lines and short lines (a lone "return x") prove nothing either way.
    return [line for line in lines if len(line) >= 10 and not line.startswith("#")]


def test_assignments_exist():
    assert len(ASSIGNMENTS) >= 4, f"the course needs at least four assignments, found {ASSIGNMENTS}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_round_trips_through_jupytext(name):
    """MyST -> notebook -> MyST gives the source back, raw cells (otter's markers) included."""
    text = source_path(name).read_text()
    notebook = jupytext.reads(text, fmt="md:myst")
    written = jupytext.writes(notebook, fmt="md:myst")
    assert re.sub(r"\n +jupytext_version: [^\n]*", "", written) == text  # jupytext stamps its version
    raw = [c.source.splitlines()[0] for c in notebook.cells if c.cell_type == "raw"]
    assert raw[0] == "# ASSIGNMENT CONFIG", "the assignment config must be the first raw cell"
    assert raw.count("# BEGIN QUESTION") == raw.count("# END QUESTION") >= 3
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_question_has_public_and_hidden_tests(name):
    config, questions, solution_lines = parse_source(name)
    assert config["name"] == name
    assert config["export_cell"] is False and config["solutions_pdf"] is False
    for question, info in questions.items():
        assert info["solutions"] >= 1, f"{question} has no solution cell"
        assert info["public"] >= 1, f"{question} has no public test"
        assert info["hidden"] >= 1, f"{question} has no hidden test (hidden tests vary the data)"
    assert len(solution_lines) >= len(questions)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_generated_tests_split_public_and_hidden(name, built):
    """Student notebook: public tests only; autograder zip: public and hidden."""
    _, questions, _ = parse_source(name)
    student = nbformat.read(built[name]["student"], as_version=4)
    tests = student.metadata["otter"]["tests"]
    assert sorted(tests) == sorted(questions)
    for question, info in questions.items():
        cases = tests[question]["suites"][0]["cases"]
        assert len(cases) == info["public"] and not any(case["hidden"] for case in cases)
    with zipfile.ZipFile(built[name]["zip"]) as archive:
        names = set(archive.namelist())
        for question, info in questions.items():
            assert f"tests/{question}.py" in names
            test_file = archive.read(f"tests/{question}.py").decode()
            assert test_file.count("'hidden': True") == info["hidden"]
            assert test_file.count("'hidden': False") == info["public"]
        assert {"run_autograder", "otter_config.json", "environment.yml"} <= names


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_version_has_no_solution_code(name, built):
    """(c) No non-trivial line of any solution appears anywhere in the student notebook."""
    _, questions, solution_lines = parse_source(name)
    student = nbformat.read(built[name]["student"], as_version=4)
    text = "\n".join(cell.source for cell in student.cells) + json.dumps(student.metadata)
    leaked = [line for line in solution_lines if line in text]
    assert not leaked, f"solution code in the student notebook: {leaked}"
    answer_cells = [c for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answer_cells) == sum(info["solutions"] for info in questions.values())
    assert all("..." in c.source for c in answer_cells), "every answer cell leaves a ... to fill in"
    assert "BEGIN SOLUTION" not in text and "# HIDDEN" not in text


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_scores_full_marks(name, graded):
    """(a) and (d): the solution passes every public and hidden test under the autograder."""
    _, questions, _ = parse_source(name)
    outcome = graded(name, "solution")
    assert not outcome["cell_errors"], outcome["cell_errors"]
    assert outcome["possible"] == sum(info["points"] for info in questions.values())
    assert outcome["total"] == outcome["possible"], outcome["stdout"][-4000:]
    scored = [t for t in outcome["results"]["tests"] if "score" in t]  # one entry per question
    assert sorted(t["name"] for t in scored) == sorted(questions)
    assert all(t["score"] == t["max_score"] for t in scored), outcome["stdout"][-4000:]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_notebook_runs_without_errors(name, graded):
    """(b) The untouched student notebook executes top to bottom, grader.check cells included."""
    outcome = graded(name, "execute")
    assert outcome["error"] is None, outcome["error"]
    executed = nbformat.reads(outcome["notebook"], as_version=4)
    checks = [c for c in executed.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
    assert checks and all(c.outputs for c in checks), "every grader.check cell shows its result"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_untouched_student_notebook_scores_zero(name, graded):
    """(b) No test passes on the stubs: every test checks values, so none is vacuous."""
    _, questions, _ = parse_source(name)
    outcome = graded(name, "student")
    assert not outcome["cell_errors"], outcome["cell_errors"]
    assert outcome["possible"] == sum(info["points"] for info in questions.values())
    assert outcome["total"] == 0, outcome["stdout"][-4000:]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_partly_solved_notebook_scores_partial_marks(name, graded):
    """(d) Only the first question solved: exactly its points, strictly between 0 and the total."""
    _, questions, _ = parse_source(name)
    outcome = graded(name, "partial")
    first = outcome["question"]
    assert 0 < outcome["total"] < outcome["possible"], outcome["stdout"][-4000:]
    assert outcome["total"] == pytest.approx(questions[first]["points"])
