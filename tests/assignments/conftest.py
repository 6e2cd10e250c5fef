"""Fixtures for the assignment tests: build every assignment once per session, then grade.

``built``   runs ``tools/build_assignments.py``'s ``build`` (the code behind ``make assignments``:
            jupytext, then Otter Assign) into a temporary folder, without Otter Assign's own
            grading of the solutions (the tests below grade them anyway).  Nothing under
            ``_build/`` is read or written, so the tests need no earlier ``make`` step.
``graded``  for every assignment: grades the solution notebook, the untouched student notebook and
            a partly solved one (the student notebook with the first question's solution put back)
            with the generated autograder zip, as ``otter run`` does, and executes the student
            notebook as a student would.  These jobs start a Jupyter kernel each, so they run in
            a small process pool (ASSIGNMENT_TEST_WORKERS, default: the number of CPUs, at most 4).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for the worker processes, whatever the import mode

import otter_jobs  # noqa: E402
from assignment_support import build_assignments  # noqa: E402

ANSWER_TAG = "otter_answer_cell"            # otter's tag on a student's answer cell
SOLUTION_TAG = "otter_assign_solution_cell"  # ... and on the same cell in the solution notebook


def partly_solved(student_path: Path, solution_path: Path, target: Path) -> tuple[Path, str]:
    """Write the student notebook with the answers to its first question filled in from the solution.

    Answer cells correspond one to one, in order, between the student and solution notebooks;
    the first question's answers are those before the first ``grader.check`` cell.
    Returns the notebook's path and the first question's name.
    """
    student = nbformat.read(student_path, as_version=4)
    solution = nbformat.read(solution_path, as_version=4)

    def tagged(nb, tag):
        return [i for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and tag in c.metadata.get("tags", [])]

    answers, solutions = tagged(student, ANSWER_TAG), tagged(solution, SOLUTION_TAG)
    assert len(answers) == len(solutions) > 0, "answer cells do not match solution cells"
    first_check = next(i for i, c in enumerate(student.cells)
                       if c.cell_type == "code" and c.source.lstrip().startswith("grader.check("))
    question = student.cells[first_check].source.split('"')[1]
    filled = 0
    for a, s in zip(answers, solutions):
        if a < first_check:
            student.cells[a].source = solution.cells[s].source
            filled += 1
    assert filled, "the first question has no answer cell"
    target.mkdir(parents=True, exist_ok=True)
    path = target / student_path.name
    nbformat.write(student, path)
    return path, question


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """``{name: {"source", "student", "autograder", "zip"}}``, freshly generated for this session."""
    outdir = tmp_path_factory.mktemp("assignments")
    with warnings.catch_warnings():  # otter's traitlets configuration is noisy, and not ours to fix
        warnings.simplefilter("ignore", DeprecationWarning)
        return build_assignments.build(outdir, run_tests=False, verbose=False)


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    """``graded(name, kind)``: the result of job ``kind`` for assignment ``name``.

    kinds: ``solution``, ``student``, ``partial`` (``otter_jobs.grade`` results, ``partial`` also
    with ``question``) and ``execute`` (``otter_jobs.execute`` on the student notebook).
    """
    workers = int(os.environ.get("ASSIGNMENT_TEST_WORKERS", min(4, os.cpu_count() or 1)))
    partial_dir = tmp_path_factory.mktemp("partly_solved")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    futures, questions = {}, {}
    for name, paths in built.items():
        partial, questions[name] = partly_solved(paths["student"], paths["autograder"], partial_dir / name)
        zip_path = str(paths["zip"])
        futures[name, "solution"] = pool.submit(otter_jobs.grade, str(paths["autograder"]), zip_path)
        futures[name, "student"] = pool.submit(otter_jobs.grade, str(paths["student"]), zip_path)
        futures[name, "partial"] = pool.submit(otter_jobs.grade, str(partial), zip_path)
        futures[name, "execute"] = pool.submit(otter_jobs.execute, str(paths["student"]))

    def result(name, kind):
        outcome = futures[name, kind].result()
        if kind == "partial":
            outcome = {**outcome, "question": questions[name]}
        return outcome

    yield result
    pool.shutdown(wait=True, cancel_futures=True)
