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

EXPORT = ROOT / "tools" / "export_written.py"
PLACEHOLDER = "_Type your answer here, replacing this text._"
ANSWER_TAG = "otter_answer_cell"


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


def _student_copy(student: Path, target: Path, answer: str | None, keep_markers: bool = True) -> None:
    """The student notebook with its written answers replaced by ``answer`` (None: left untouched),
    optionally with otter's question markers deleted."""
    notebook = nbformat.read(student, as_version=4)
    for cell in notebook.cells:
        if answer is not None and cell.cell_type == "markdown" and ANSWER_TAG in cell.metadata.get("tags", []):
            cell.source = answer
        if not keep_markers:
            cell.source = cell.source.replace(export_written.BEGIN, "").replace(export_written.END, "")
    nbformat.write(notebook, target)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a5_failure_modes", "a6_online_em"])
def test_export_collects_every_answer_into_one_safe_page_per_question(name, built, tmp_path):
    student = built[name]["student"]
    folder = tmp_path / "submissions"
    folder.mkdir()
    answer = "With $\\mu_1 = x_1$ the first term grows like $-\\tfrac12 \\ln \\sigma_1^2$.\n\n1. a list item"
    _student_copy(student, folder / "alice.ipynb", answer)
    _student_copy(student, folder / "bob.ipynb", None)
    _student_copy(student, folder / "mallory.ipynb",
                  "Mine: $a < b$ <script>alert(1)</script><img src=x onerror=alert(2)> **bold**")
    _student_copy(student, folder / "no markers.ipynb", answer, keep_markers=False)

    result = run_export(name, folder, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    questions = export_written.written_questions(name)
    with (tmp_path / "out" / "written_scores.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["submission"] + [q["name"] for q in questions]
    assert [row[0] for row in rows[1:]] == ["alice", "bob", "mallory", "no markers"]
    assert all(row[1:] == [""] * len(questions) for row in rows[1:]), "scores are left for the grader"

    page = (tmp_path / "out" / f"{questions[0]['name']}.html").read_text()
    for submission in ("alice", "bob", "mallory", "no markers"):
        assert f"Submission <code>{submission}</code>" in page
    assert "the first term grows like" in page and "<li>a list item</li>" in page, "Alice's answer, rendered"
    assert PLACEHOLDER.strip("_") in page, "Bob left the placeholder: shown, so the grader sees no answer"
    plain = [part.strip() for part in re.split(r"\$[^$]*\$|\n", "\n".join(questions[0]["model"]))]
    model_words = next(part for part in plain if re.fullmatch(r"[A-Za-z ,;'-]{25,}", part))
    assert "Model answer" in page and model_words and model_words in page, "the model answer heads the page"
    assert "no answer found" in page, "a notebook whose markers were deleted is listed, not skipped"
    assert "<strong>bold</strong>" in page and "&lt;script&gt;" in page, "Mallory's Markdown rendered, her HTML as text"
    assert "<script>alert" not in page and "<img" not in page, "student HTML is never run"
    assert not re.search(r"<(script|link)[^>]+https?://", page), "nothing is loaded from the network"


def test_export_says_what_is_wrong_with_its_input(tmp_path):
    result = run_export("a9_missing", tmp_path, tmp_path / "out")
    assert result.returncode != 0 and "no assignment source" in result.stderr
    result = run_export("a5_failure_modes", tmp_path, tmp_path / "out")
    assert result.returncode != 0 and "no *.ipynb submissions" in result.stderr
