"""The instructor guide can be followed literally: every command it shows is run by a test.

Each ```bash line of ``book/instructor_guide.md`` must match one entry of ``COMMANDS``, which names
the test that runs it; a new command in the guide without a test fails here.  The Gradescope zip is
tested the way Gradescope uses it: its requirements and bundled wheel installed into a fresh virtual
environment, its ``run_autograder`` run in Gradescope's folder layout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from assignment_support import ASSIGNMENTS, ROOT
from conftest import make
import submission_kit

pytestmark = pytest.mark.slow

GUIDE = ROOT / "book" / "instructor_guide.md"
COMMANDS = {   # a command of the guide -> the test that runs it
    r"make assignments": "conftest.built (every test of test_assignments.py)",
    r"\.venv/bin/python -m pytest tests/assignments": "this test suite",
    r"pip install -r assignments/requirements-student.txt": "test_student_requirements_install",
    r"otter check a1_e_step\.ipynb": "test_otter_check_works_for_students",
    r"make grade ASSIGNMENT=\w+ SUBMISSIONS=submissions/\w+ OUT=grades/\w+": "conftest.graded",
    r"mkdir -p submissions/check": "test_checking_an_autograder_as_the_guide_says",
    r"cp _build/assignments/a2_em/.*": "test_checking_an_autograder_as_the_guide_says",
}


def bash_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", GUIDE.read_text(), flags=re.S)
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.strip().startswith("#"):
                commands.append(" ".join(line.split()))
    return commands


def test_every_command_in_the_guide_is_tested():
    commands = bash_commands()
    assert len(commands) >= 6
    untested = [c for c in commands if not any(re.fullmatch(p, c) for p in COMMANDS)]
    assert not untested, f"commands in the guide that no test runs: {untested}"


def test_the_public_address_comes_from_one_setting():
    """No hard-coded repository address: the guide prints the one from pyproject.toml."""
    text = GUIDE.read_text()
    assert "github.com/" not in text and "<you>" not in text and "GMMLIB_REQUIREMENT" not in text
    cell = re.search(r"```\{code-cell\} ipython3\n:tags: \[hide-input\]\n\n?import tomllib\n(.*?)```", text, re.S)
    assert cell, "the guide's folded cell that prints the clone command is missing"
    printed = subprocess.run([sys.executable, "-c", "import tomllib, yaml\nfrom pathlib import Path\n"
                              f"root = Path({str(ROOT)!r})\n" + cell.group(1)],
                             capture_output=True, text=True, check=True).stdout
    import tomllib
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Source"]
    assert printed.splitlines()[0] == f"git clone {expected}"


def test_checking_an_autograder_as_the_guide_says(built, tmp_path):
    """The guide's "Checking an autograder" block, run in a scratch folder against this build."""
    block = re.search(r"### Checking an autograder.*?```bash\n(.*?)```", GUIDE.read_text(), re.S).group(1)
    out = built["a2_em"]["out"]
    script = block.replace("_build/assignments", str(out))
    script = script.replace("make grade", f"make -C {ROOT} --no-print-directory grade ASSIGNMENTS_OUT={out}")
    script = script.replace("submissions/check", str(tmp_path / "submissions" / "check"))
    script = script.replace("grades/check", str(tmp_path / "grades" / "check"))
    subprocess.run(["bash", "-euc", script], cwd=tmp_path, check=True, capture_output=True, timeout=1800)
    grades = (tmp_path / "grades" / "check" / "grades.csv").read_text().splitlines()
    rows = {line.split(",")[0]: line.split(",") for line in grades[1:]}
    assert rows["solution"][1] == rows["solution"][2] and rows["solution"][3] == "graded"
    assert float(rows["untouched"][1]) == 0.0


def test_otter_check_works_for_students(built, tmp_path):
    """Unzip the handout, save the notebook under a browser's second-download name, run otter check."""
    with zipfile.ZipFile(built["a1_e_step"]["dir"] / "student" / "a1_e_step.zip") as archive:
        archive.extractall(tmp_path)
    solved = submission_kit.filled(tmp_path / "a1_e_step.ipynb", "a1_e_step")
    nbformat.write(solved, tmp_path / "a1_e_step (1).ipynb")
    otter = Path(sys.executable).parent / "otter"      # the students' environment (make lab's .venv)
    good = subprocess.run([str(otter), "check", "a1_e_step (1).ipynb"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert good.returncode == 0 and "All tests passed!" in good.stdout, good.stdout + good.stderr[-3000:]
    untouched = subprocess.run([str(otter), "check", "a1_e_step.ipynb"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=600)
    assert "All tests passed!" not in untouched.stdout and "q1 results:" in untouched.stdout, untouched.stdout


def test_student_requirements_install(tmp_path):
    """The guide's pip line resolves (a dry run: it installs nothing) with the tested versions."""
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
                             "--disable-pip-version-check", "-c", "constraints.txt",
                             "-r", "assignments/requirements-student.txt"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def gradescope_python(built, tmp_path_factory):
    """A fresh venv with what one Gradescope zip installs (install.sh: pinned requirements + wheel)."""
    folder = tmp_path_factory.mktemp("gradescope-venv")
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
    source = folder / "source"
    with zipfile.ZipFile(built[ASSIGNMENTS[0]]["gradescope"]) as archive:
        archive.extractall(source)
    env = {"PATH": f"{folder / 'venv' / 'bin'}:/usr/bin:/bin", "HOME": str(Path.home())}
    result = subprocess.run(["bash", str(source / "install.sh")], env=env, capture_output=True,
                            text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "gmmlib" in result.stdout and "installed" in result.stdout
    return folder / "venv"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_gradescope_zip_grades_through_its_own_entry_point(name, built, gradescope_python, tmp_path):
    """Gradescope's layout: source/ (the zip), submission/ (one notebook), results/results.json."""
    import json
    environment = yaml.safe_load(zipfile.ZipFile(built[name]["gradescope"]).read("environment.yml"))
    assert "python=3.11" in environment["dependencies"]
    for kind, notebook, expected in (("solution", built[name]["solution"], "full"),
                                     ("untouched", built[name]["student"], "zero")):
        root = tmp_path / kind
        with zipfile.ZipFile(built[name]["gradescope"]) as archive:
            archive.extractall(root / "source")
        (root / "submission").mkdir()
        shutil.copy(notebook, root / "submission" / f"{name}.ipynb")
        env = {"PATH": f"{gradescope_python / 'bin'}:/usr/bin:/bin", "AUTOGRADER_ROOT": str(root),
               "HOME": str(tmp_path)}
        result = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                                capture_output=True, text=True, timeout=1800)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        results = json.loads((root / "results" / "results.json").read_text())
        total = sum(t["max_score"] for t in results["tests"])
        assert results["score"] == (total if expected == "full" else 0.0), results
        assert all("public tests:" in t["output"] for t in results["tests"])
