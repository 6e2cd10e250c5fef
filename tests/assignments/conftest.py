"""Fixtures for the assignment tests: ``make assignments`` once, then ``make grade`` per assignment.

``built``   runs ``make assignments ASSIGNMENTS_OUT=<tmp>`` (the instructor's command: its own
            environment, the gmmlib wheel, Otter Assign, the judge's references, the Gradescope
            zips) into a temporary folder; ``{name: {"dir", "student", "solution", "judge", "spec"}}``.
``graded``  for every assignment, writes the test submissions (``submission_kit``) into one
            folder and grades them all with one ``make grade`` run (two workers, a short
            ``TIMEOUT`` so the hanging one costs little); ``graded(name)`` gives the rows of
            grades.csv by submission id, and the output folder.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assignment_support import ASSIGNMENTS, ROOT  # noqa: E402
import submission_kit  # noqa: E402

# Seconds per submission in the tests: the hanging one waits this long, the others take a few seconds
# each (more on a loaded machine: raise ASSIGNMENT_TEST_TIMEOUT there).
GRADE_TIMEOUT = int(os.environ.get("ASSIGNMENT_TEST_TIMEOUT", "60"))


def git_status() -> set[str]:
    result = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return set(result.stdout.splitlines())


def make(*args, timeout=3600) -> subprocess.CompletedProcess:
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"make {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="session")
def status_before():
    return git_status()


@pytest.fixture(scope="session")
def built(tmp_path_factory, status_before):
    out = tmp_path_factory.mktemp("assignments")
    start = time.monotonic()
    result = make("assignments", f"ASSIGNMENTS_OUT={out}")
    print(f"make assignments: {time.monotonic() - start:.0f} s")
    paths = {}
    for name in ASSIGNMENTS:
        folder = out / name
        paths[name] = {"dir": folder, "student": folder / "student" / f"{name}.ipynb",
                       "solution": folder / "autograder" / f"{name}.ipynb", "judge": folder / "judge",
                       "spec": submission_kit.read_json(folder / "judge" / "spec.json"),
                       "gradescope": folder / f"{name}-gradescope.zip", "out": out,
                       "log": result.stdout}
    return paths


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    cache = {}

    def grade(name):
        if name not in cache:
            paths = built[name]
            submissions = tmp_path_factory.mktemp(f"submissions-{name}")
            out = tmp_path_factory.mktemp(f"grades-{name}")
            submission_kit.write_submissions(paths["student"], name, paths["spec"], submissions, out)
            start = time.monotonic()
            result = make("grade", f"ASSIGNMENT={name}", f"SUBMISSIONS={submissions}", f"OUT={out}",
                          f"TIMEOUT={GRADE_TIMEOUT}", f"ASSIGNMENTS_OUT={paths['out']}")
            seconds = time.monotonic() - start
            with open(out / "grades.csv", newline="") as handle:
                rows = {row["submission"]: row for row in csv.DictReader(handle)}
            cache[name] = {"rows": rows, "out": out, "submissions": submissions, "seconds": seconds,
                           "stdout": result.stdout}
        return cache[name]

    return grade
