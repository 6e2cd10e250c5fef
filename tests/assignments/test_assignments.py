"""The course assignments, from their one source to the grades: what an instructor relies on.

Sources (fast, no build): every assignment survives the jupytext round trip, and every auto-graded
question has public otter tests and a JUDGE cell whose cases the judge can read.

Built by ``make assignments`` (``conftest.built``): the student notebook holds no solution line, no
judge case and no hidden test; the references hold an answer for every case.

Graded by ``make grade`` (``conftest.graded``), for every assignment: a correct submission written
independently of the solution scores full marks (also when saved as ``correct renamed (1).ipynb``);
an untouched one scores 0; one with only the first question answered scores exactly that
question's points; one whose first answer raises loses only that question; a hanging one times out
while the others are graded; every tampering submission (``tampering/``) scores 0 or is flagged;
nothing a student may see mentions a hidden case; and grading leaves no file behind.
"""

from __future__ import annotations

import glob
import re
import zipfile

import jupytext
import nbformat
import pytest
import yaml

from assignment_support import ASSIGNMENTS, ROOT, build_assignments
from conftest import git_status
import submission_kit

pytestmark = pytest.mark.slow

SOURCES = build_assignments.SOURCES


def source_path(name):
    return SOURCES / name / f"{name}.md"


def solution_lines(name):
    """The non-trivial lines otter removes: between ``# BEGIN/END SOLUTION`` comments inside code
    cells (not the raw marker cells around them), and lines ending in ``# SOLUTION``."""
    lines, inside, previous = [], False, ""
    for line in source_path(name).read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("# BEGIN SOLUTION") and previous != "```{raw-cell}":
            inside = True
        elif stripped.startswith("# END SOLUTION") and previous != "```{raw-cell}":
            inside = False
        elif (inside or re.search(r"#\s*SOLUTION\s*$", stripped)) and len(stripped) >= 10 \
                and not stripped.startswith(("#", '"""')):
            lines.append(re.sub(r"#\s*SOLUTION\s*$", "", stripped).strip())
        previous = line
    return lines


def auto_graded(spec):
    return {q: info for q, info in spec["questions"].items() if not info["manual"]}


def test_there_are_at_least_four_assignments():
    assert len(ASSIGNMENTS) >= 4, ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_round_trips_through_jupytext(name):
    """MyST -> notebook -> MyST gives the source back, raw cells (otter's and the judge's) included."""
    text = source_path(name).read_text()
    notebook = jupytext.reads(text, fmt="md:myst")
    written = jupytext.writes(notebook, fmt="md:myst")
    assert re.sub(r"\n +jupytext_version: [^\n]*", "", written) == text
    raw = [c.source.splitlines()[0] for c in notebook.cells if c.cell_type == "raw"]
    assert raw[0] == "# ASSIGNMENT CONFIG"
    assert raw.count("# BEGIN QUESTION") == raw.count("# END QUESTION") >= 3


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_auto_graded_question_has_public_tests_and_judge_cases(name):
    notebook = jupytext.read(source_path(name))
    spec = build_assignments.judge_spec(notebook)
    config = yaml.safe_load("\n".join(notebook.cells[0].source.splitlines()[1:]))
    assert config["name"] == name
    assert "# HIDDEN" not in source_path(name).read_text(), "hidden cases belong in JUDGE cells"
    for question, info in auto_graded(spec).items():
        assert len(info["cases"]) >= 2, f"{question}: one case cannot give partial credit"
    public = re.findall(r"# BEGIN TESTS\n```\n\n```\{code-cell\} ipython3\n", source_path(name).read_text())
    assert len(public) == len(spec["questions"]) - sum(i["manual"] for i in spec["questions"].values())


def test_a_judge_cell_with_a_typo_is_refused():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_raw_cell("# BEGIN QUESTION\nname: q1\npoints: 1"),
                      nbformat.v4.new_raw_cell("# JUDGE\nquestion: q1\ncases:\n  - function: f\n    arg: '1'")]
    with pytest.raises(ValueError, match="unknown keys"):
        build_assignments.judge_spec(notebook)
    notebook.cells[1] = nbformat.v4.new_raw_cell("# JUDGE\nquestion: q9\ncases:\n  - function: f")
    with pytest.raises(ValueError, match="q9"):
        build_assignments.judge_spec(notebook)


# --- what make assignments builds ------------------------------------------------------------------

@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_version_holds_no_solution_and_no_hidden_case(name, built):
    paths = built[name]
    student = nbformat.read(paths["student"], as_version=4)
    text = "\n".join(cell.source for cell in student.cells) + str(student.metadata)
    leaked = [line for line in solution_lines(name) if line in text]
    assert not leaked, f"solution code in the student notebook: {leaked}"
    assert "# JUDGE" not in text and "BEGIN SOLUTION" not in text
    hidden_args = [case["args"] for info in paths["spec"]["questions"].values() for case in info["cases"]
                   if len(case["args"]) > 20]
    handed_out = text + "".join(p.read_text() for p in (paths["dir"] / "student" / "tests").glob("*.py"))
    assert hidden_args and not [a for a in hidden_args if a in handed_out]
    with zipfile.ZipFile(paths["dir"] / "student" / f"{name}.zip") as archive:
        assert f"{name}.ipynb" in archive.namelist() and any(n.startswith("tests/") for n in archive.namelist())
    assert "grader = otter.Notebook()" in text, "the notebook must not depend on its file name"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_references_answer_every_case(name, built):
    references = submission_kit.read_json(built[name]["judge"] / "references.json")
    for question, info in auto_graded(built[name]["spec"]).items():
        answers = references["answers"][question]
        assert len(answers) == len(info["cases"]) and all("value" in a for a in answers), question


# --- what make grade gives ---------------------------------------------------------------------------

def points(spec, question):
    return spec["questions"][question]["points"]


def max_score(spec):
    return sum(info["points"] for info in auto_graded(spec).values())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_grades_csv_has_one_column_per_question(name, built, graded):
    header = (graded(name)["out"] / "grades.csv").read_text().splitlines()[0].split(",")
    assert header == ["submission", "score", "max_score", "status", *built[name]["spec"]["questions"]]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_make_grade_collects_the_written_answers_for_the_graders(name, built, graded):
    written = [q for q, info in built[name]["spec"]["questions"].items() if info["manual"]]
    assert written, f"{name} has no written question"
    out = graded(name)["out"] / "written"
    sheet = (out / "written_scores.csv").read_text().splitlines()
    assert sheet[0].split(",") == ["submission", *written]
    assert len(sheet) - 1 == len(graded(name)["rows"])
    for question in written:
        assert (out / f"{question}.html").is_file()


@pytest.mark.parametrize("name", ASSIGNMENTS)
@pytest.mark.parametrize("submission", ["correct", "correct renamed (1)"])
def test_independent_correct_submission_scores_full_marks(name, submission, built, graded):
    row = graded(name)["rows"][submission]
    details = (graded(name)["out"] / "details" / f"{submission}.json").read_text()
    assert row["status"] == "graded", details[-3000:]
    assert float(row["score"]) == float(row["max_score"]) == max_score(built[name]["spec"]), details[-3000:]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_untouched_submission_scores_zero(name, graded):
    row = graded(name)["rows"]["untouched"]
    assert row["status"] == "graded" and float(row["score"]) == 0.0


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_first_question_alone_scores_its_points(name, built, graded):
    spec = built[name]["spec"]
    first = next(iter(auto_graded(spec)))
    row = graded(name)["rows"]["partial"]
    assert row["status"] == "graded"
    assert 0 < float(row["score"]) < max_score(spec)
    assert float(row["score"]) == pytest.approx(points(spec, first))
    assert float(row[first]) == pytest.approx(points(spec, first))


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_an_error_in_the_first_answer_costs_only_that_question(name, built, graded):
    """No cascades: later questions call references in place of earlier answers (``provide``)."""
    spec = built[name]["spec"]
    first = next(iter(auto_graded(spec)))
    row = graded(name)["rows"]["first_error"]
    assert row["status"] == "graded"
    assert float(row[first]) == 0.0
    assert float(row["score"]) == pytest.approx(max_score(spec) - points(spec, first))


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_hanging_submission_times_out_and_the_others_are_graded(name, graded):
    rows = graded(name)["rows"]
    assert rows["hang"]["status"] == "timeout" and float(rows["hang"]["score"]) == 0.0
    assert rows["correct"]["status"] == "graded"


@pytest.mark.parametrize("name", ASSIGNMENTS)
@pytest.mark.parametrize("kind", submission_kit.TAMPERING)
def test_tampering_gains_nothing(name, kind, graded):
    row = graded(name)["rows"][f"tamper_{kind}"]
    assert float(row["score"]) == 0.0, row
    assert row["status"] in ("graded", "flagged", "error", "timeout")
    if row["status"] == "flagged":
        assert f"tamper_{kind}:" in (graded(name)["out"] / "flagged.txt").read_text()


@pytest.mark.parametrize("name", ASSIGNMENTS)
@pytest.mark.parametrize("kind", ["patch_numpy", "assert_off", "patch_otter", "evade_exec", "patch_json"])
def test_tampering_with_the_environment_is_flagged(name, kind, graded):
    """Canaries: replaced numpy/otter/builtins/json functions and exec'd graded code are flagged."""
    assert graded(name)["rows"][f"tamper_{kind}"]["status"] == "flagged"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_for_students_shows_no_hidden_case(name, built, graded):
    outcome = graded(name)
    hidden = [case[key] for info in built[name]["spec"]["questions"].values() for case in info["cases"]
              for key in ("args", "expression") if case.get(key) and len(case[key]) > 12]
    feedback = {p.name: p.read_text() for p in (outcome["out"] / "feedback").glob("*.txt")}
    assert len(feedback) == len(outcome["rows"])
    for text in feedback.values():
        assert not [h for h in hidden if h in text]
        assert "HIDDEN CASES" not in text and "rng(" not in text
    assert "public tests passed" not in feedback["untouched.txt"].lower()
    assert "q1: passed" not in feedback["untouched.txt"] and "passed" in feedback["correct.txt"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_grading_leaves_nothing_behind(name, graded, status_before):
    outcome = graded(name)
    assert git_status() == status_before, "grading created or changed files in the repository"
    assert not glob.glob("/tmp/gmm-grading-*"), "a temporary grading folder was left behind"
    for marker in ("/tmp/gmm-escape-marker", "/tmp/gmm-orphan-marker", "/work/gmm-escape-marker",
                   str(ROOT / "gmm-escape-marker"), str(outcome["out"] / "gmm-escape-marker")):
        assert not glob.glob(marker), f"a submission wrote {marker}"
    assert sorted(p.name for p in outcome["submissions"].iterdir()) == sorted(
        f"{s}.ipynb" for s in outcome["rows"]), "a submission changed the submissions folder"
