"""The written (hand-graded) questions: one per assignment, model answers kept from students, and the
manual-grading export ``tools/export_written.py`` that collects the answers for the graders.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from assignment_support import ASSIGNMENTS, ROOT

SUBMISSIONS = ROOT / "tests" / "assignments" / "submissions"
EXPORT = ROOT / "tools" / "export_written.py"
PLACEHOLDER = "_Type your answer here, replacing this text._"


def _load_export_module():
    spec = importlib.util.spec_from_file_location("export_written", EXPORT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


export_written = _load_export_module()


def run_export(name: str, submissions: Path, out: Path) -> subprocess.CompletedProcess:
    """The command the instructor guide gives, run from the repository root."""
    return subprocess.run([sys.executable, "tools/export_written.py", name, str(submissions), str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_assignment_has_a_written_question_with_a_model_answer(name):
    questions = export_written.written_questions(name)
    assert questions, f"{name} has no written (manual: true) question"
    for question in questions:
        assert question["points"] > 0
        prompt = "\n".join(question["prompt"])
        assert "(written)" in prompt and "LaTeX" in prompt, "the prompt says it is written, answered in LaTeX"
        model = "\n".join(question["model"])
        assert model.startswith("**Model answer.**") and len(model) > 400, "a worked model answer"


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_version_has_the_question_but_not_the_model_answer(name, built):
    student = nbformat.read(built[name]["student"], as_version=4)
    text = "\n".join(cell.source for cell in student.cells)
    questions = export_written.written_questions(name)
    assert text.count(export_written.BEGIN) == len(questions), "otter marks each written question"
    assert text.count(PLACEHOLDER) >= len(questions), "each written question has an answer cell"
    for question in questions:
        model_lines = [line.strip() for text in question["model"] for line in text.splitlines()
                       if len(line.strip()) >= 30]
        leaked = [line for line in model_lines if line in text]
        assert not leaked, f"model answer of {question['name']} in the student notebook: {leaked[:2]}"
        assert question["prompt"][0].splitlines()[0] in text, "the question itself is in the student notebook"


def _with_answer(source: Path, target: Path, answer: str | None) -> None:
    """Copy a submission, replacing its written answer (or, with None, deleting the question markers)."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if answer is not None and "otter_answer_cell" in cell.metadata.get("tags", []) \
                and cell.cell_type == "markdown":
            cell.source = answer
        if answer is None:
            cell.source = cell.source.replace(export_written.BEGIN, "").replace(export_written.END, "")
    nbformat.write(notebook, target)


@pytest.mark.parametrize("name", ["a5_failure_modes", "a6_online_em"])
def test_export_collects_every_answer_into_one_safe_page_per_question(name, tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for kind in ("alternative", "partial"):
        (folder / f"{kind}.ipynb").write_bytes((SUBMISSIONS / name / f"{kind}.ipynb").read_bytes())
    hostile = "Mine: $a < b$ <script>alert(1)</script><img src=x onerror=alert(2)> **bold**"
    _with_answer(SUBMISSIONS / name / "alternative.ipynb", folder / "hostile.ipynb", hostile)
    _with_answer(SUBMISSIONS / name / "alternative.ipynb", folder / "no markers.ipynb", None)

    result = run_export(name, folder, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    questions = export_written.written_questions(name)
    pages = {q["name"]: (tmp_path / "out" / f"{q['name']}.html").read_text() for q in questions}

    with (tmp_path / "out" / "written_scores.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["submission"] + [q["name"] for q in questions]
    assert [row[0] for row in rows[1:]] == ["alternative", "hostile", "no markers", "partial"]
    assert all(row[1:] == [""] * len(questions) for row in rows[1:]), "scores are left for the grader"

    alternative = nbformat.read(folder / "alternative.ipynb", as_version=4)
    answer = next(c.source for c in alternative.cells if "otter_answer_cell" in c.metadata.get("tags", [])
                  and c.cell_type == "markdown")
    page = pages[questions[0]["name"]]
    for submission in ("alternative", "hostile", "no markers", "partial"):
        assert f"Submission <code>{submission}</code>" in page
    first_words = answer.split("$")[0].strip()
    assert first_words and first_words in page, "the alternative submission's answer is on the page"
    assert "Model answer" in page and PLACEHOLDER.strip("_") in page  # the partial one left it empty
    assert "no answer found" in page, "a notebook whose markers were deleted is listed, not skipped"
    assert "<strong>bold</strong>" in page, "student Markdown is rendered"
    assert "<script>alert" not in page and "<img" not in page, "student HTML is shown as text, never run"
    assert not re.search(r"<(script|link)[^>]+https?://", page), "nothing is loaded from the network"


def test_export_says_what_is_wrong_with_its_input(tmp_path):
    result = run_export("a9_missing", tmp_path, tmp_path / "out")
    assert result.returncode != 0 and "no assignment source" in result.stderr
    result = run_export("a5_failure_modes", tmp_path, tmp_path / "out")
    assert result.returncode != 0 and "no *.ipynb submissions" in result.stderr
