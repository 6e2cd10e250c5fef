"""Generate the student, autograder and judge versions of the course assignments.

    python tools/build_assignments.py [OUTDIR] [--no-run-tests] [--only NAME ...] [--wheel WHEEL]

Every assignment is written once, as a MyST Markdown notebook ``assignments/<name>/<name>.md`` in
Otter Assign's format (raw cells ``# ASSIGNMENT CONFIG``, ``# BEGIN QUESTION``, ``# BEGIN SOLUTION``,
``# BEGIN TESTS`` ...) plus our ``# JUDGE`` raw cells (see ``assignments/README.md``).  For each
assignment this script

1. reads the source with jupytext, collects the JUDGE cells into ``judge/spec.json`` and removes
   them, sets the otter settings every assignment shares (``SHARED_CONFIG``), and writes
   ``OUTDIR/<name>/source/<name>.ipynb``;
2. runs Otter Assign: ``student/`` (the notebook without solutions, its public tests in
   ``student/tests/``, zipped as ``student/<name>.zip`` to hand out) and ``autograder/`` (the
   solution notebook and otter's zip);
3. runs the solution through the grading harness (phase 1) and stores its answers as the
   references, ``judge/references.json``; with tests on (the default), grades the solution and the
   untouched student notebook with the judge and fails unless they score full marks and 0;
4. with ``--wheel`` (``make assignments`` passes the gmmlib wheel built from this checkout), writes
   the Gradescope autograder ``OUTDIR/<name>/<name>-gradescope.zip`` (see ``gradescope.py``).

OUTDIR defaults to ``_build/assignments`` (git-ignored); nothing generated is committed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import zipfile
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools" / "grading"))
from grade import Judge  # noqa: E402
from gradescope import (check_installable, pinned_requirements, requirement_names,  # noqa: E402
                        write_gradescope_zip)
from spec import judge_spec, strip_judge_cells  # noqa: E402

SOURCES = ROOT / "assignments"
REQUIREMENTS = SOURCES / "requirements.txt"
DEFAULT_OUT = ROOT / "_build" / "assignments"
# Public tests as files next to the notebook (so `otter check` works and the notebook may be renamed:
# otter.Notebook() then needs no file name), and Gradescope's image on the tested Python.
SHARED_CONFIG = {"tests": {"files": True, "ok_format": True}, "python_version": "3.11",
                 "runs_on": "default"}
INIT_CELL = "# Initialize Otter\nimport otter\ngrader = otter.Notebook()"


def assignment_names() -> list[str]:
    """Every folder ``assignments/<name>/`` that holds ``<name>.md``, sorted."""
    return sorted(p.parent.name for p in SOURCES.glob("*/*.md") if p.stem == p.parent.name)


def autograder_zip(outdir: Path, name: str) -> Path:
    """The autograder zip Otter Assign wrote for ``name`` (its file name carries a timestamp)."""
    zips = sorted((outdir / name / "autograder").glob(f"{name}-autograder_*.zip"))
    if len(zips) != 1:
        raise FileNotFoundError(f"expected one autograder zip for {name} in {outdir / name}, got {zips}")
    return zips[0]


def prepare_source(name: str, master: Path) -> dict:
    """Write the notebook Otter Assign reads (no JUDGE cells, shared config); return the judge spec."""
    notebook = jupytext.read(SOURCES / name / f"{name}.md")
    spec = judge_spec(notebook)
    strip_judge_cells(notebook)
    config_cell = notebook.cells[0]
    config = yaml.safe_load("\n".join(config_cell.source.splitlines()[1:]))
    config.update(SHARED_CONFIG)
    config_cell.source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)
    jupytext.write(notebook, master, fmt="ipynb")
    return spec


def rename_safe_init_cell(notebook_path: Path) -> None:
    """Replace otter's ``otter.Notebook("<name>.ipynb")`` by ``otter.Notebook()``.

    With the tests in ``tests/`` otter needs no notebook path, so a notebook saved as
    ``a1_e_step (1).ipynb`` still runs its checks.
    """
    notebook = json.loads(notebook_path.read_text())
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and source.startswith("# Initialize Otter"):
            cell["source"] = INIT_CELL
    notebook_path.write_text(json.dumps(notebook, indent=1) + "\n")


def zip_folder(folder: Path, target: Path, exclude: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path != target and path.name not in exclude:
                archive.write(path, path.relative_to(folder))
    return target


def build_one(name: str, outdir: Path, run_tests: bool = True, wheel: Path | None = None,
              python_prefix: Path | None = None) -> dict[str, Path]:
    """Build one assignment; return the paths it produced."""
    from otter.assign import main as otter_assign

    if not (SOURCES / name / f"{name}.md").is_file():
        raise FileNotFoundError(f"no assignment source {SOURCES / name / f'{name}.md'}")
    target = outdir / name
    shutil.rmtree(target, ignore_errors=True)
    source_dir = target / "source"
    source_dir.mkdir(parents=True)
    master = source_dir / f"{name}.ipynb"
    spec = prepare_source(name, master)
    pinned = pinned_requirements(requirement_names(REQUIREMENTS), ROOT / "constraints.txt")
    (source_dir / "requirements.txt").write_text("\n".join(pinned) + "\n")
    otter_assign(str(master), str(target), no_pdfs=True, no_run_tests=True)

    student, solution = target / "student" / f"{name}.ipynb", target / "autograder" / f"{name}.ipynb"
    for notebook in (student, solution):
        rename_safe_init_cell(notebook)
    judge_dir = target / "judge"
    judge_dir.mkdir()
    (judge_dir / "spec.json").write_text(json.dumps(spec, indent=1))
    shutil.copytree(target / "student" / "tests", judge_dir / "tests")
    judge = Judge(judge_dir, python_prefix=python_prefix)
    references = judge.record(solution)
    failed = {q: [a.get("error") for a in answers if "value" not in a]
              for q, answers in references["answers"].items() if any("value" not in a for a in answers)}
    if failed:
        raise RuntimeError(f"{name}: the solution gives no answer for some judge cases: {failed}\n"
                           f"cell errors: {references['cell_errors']}")
    (judge_dir / "references.json").write_text(json.dumps(references))
    judge = Judge(judge_dir, python_prefix=python_prefix)
    if run_tests:
        row = judge.grade(solution)
        if row["status"] != "graded" or row["score"] != row["max_score"]:
            raise RuntimeError(f"{name}: the solution scores {row['score']}/{row['max_score']} "
                               f"({row['status']}): {row['questions']} {row['notes']} {row['flags']}")
        untouched = judge.grade(student)
        vacuous = {q: info["score"] for q, info in untouched["questions"].items() if info.get("score")}
        if untouched["status"] != "graded" or vacuous:
            raise RuntimeError(f"{name}: the untouched student notebook must score 0, but gets "
                               f"{vacuous or untouched['status']}: a case whose reference a stub "
                               f"(None, ...) already gives passes vacuously")
    paths = {"source": master, "student": student, "autograder": solution, "judge": judge_dir,
             "zip": autograder_zip(outdir, name),
             "student_zip": zip_folder(target / "student", target / "student" / f"{name}.zip")}
    if wheel is not None:
        paths["gradescope"] = write_gradescope_zip(paths["zip"], judge_dir, Path(wheel),
                                                   target / f"{name}-gradescope.zip")
    for label, path in paths.items():
        if not path.exists():
            raise FileNotFoundError(f"the build did not write the {label} file {path}")
    return paths


def build(outdir: Path = DEFAULT_OUT, names: list[str] | None = None, run_tests: bool = True,
          verbose: bool = True, wheel: Path | None = None,
          python_prefix: Path | None = None) -> dict[str, dict[str, Path]]:
    """Build every assignment (or ``names``) into ``outdir``; return ``{name: paths}``."""
    outdir = Path(outdir).resolve()
    names = names or assignment_names()
    if not names:
        raise FileNotFoundError(f"no assignments found under {SOURCES}")
    built = {}
    for name in names:
        start = time.perf_counter()
        built[name] = build_one(name, outdir, run_tests, wheel, python_prefix)
        if verbose:
            checked = "solution graded: full marks" if run_tests else "solution not graded"
            print(f"build_assignments: {name}: {time.perf_counter() - start:.1f} s ({checked})", flush=True)
    if wheel is not None:   # every zip carries the same requirements and wheel: check one
        check_installable(built[names[0]]["gradescope"])
        if verbose:
            print("build_assignments: the Gradescope zips install gmmlib and the pinned stack", flush=True)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="build only these assignments")
    parser.add_argument("--no-run-tests", action="store_true",
                        help="do not grade the solution notebooks with the judge")
    parser.add_argument("--wheel", type=Path, help="gmmlib wheel to bundle into the Gradescope zips")
    args = parser.parse_args(argv)
    outdir = args.outdir if args.outdir.is_absolute() else Path.cwd() / args.outdir
    if args.wheel is not None and not args.wheel.is_file():
        parser.error(f"no wheel at {args.wheel}: build it with pip wheel --no-deps -w _build/wheel .")
    built = build(outdir, args.only, run_tests=not args.no_run_tests, wheel=args.wheel)
    for name, paths in built.items():
        extra = f", Gradescope {paths['gradescope'].relative_to(outdir)}" if "gradescope" in paths else ""
        print(f"  {name}: hand out {paths['student_zip'].relative_to(outdir)}; "
              f"grade with make grade ASSIGNMENT={name}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
