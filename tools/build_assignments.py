"""Generate the student and autograder versions of the course assignments with otter-grader.

    python tools/build_assignments.py [OUTDIR] [--no-run-tests] [--only NAME ...]

Every assignment is written once, as a MyST Markdown notebook ``assignments/<name>/<name>.md`` in
Otter Assign's notebook format (raw cells ``# ASSIGNMENT CONFIG``, ``# BEGIN QUESTION``,
``# BEGIN SOLUTION``, ``# BEGIN TESTS`` ...; jupytext writes them as ``{raw-cell}`` blocks).
Otter Assign reads ``.ipynb`` only, so for each assignment this script

1. converts the source with jupytext to ``OUTDIR/<name>/source/<name>.ipynb`` and puts the grading
   requirements (``assignments/requirements.txt``) next to it;
2. runs Otter Assign, which writes
   ``OUTDIR/<name>/student/<name>.ipynb``  (solutions and hidden tests removed: hand this out) and
   ``OUTDIR/<name>/autograder/``           (the solution notebook, ``otter_config.json`` and
   ``<name>-autograder_<timestamp>.zip``, the autograder for ``otter run``/``otter grade``/Gradescope);
3. unless ``--no-run-tests``, grades the solution notebook with that zip (non-containerised, as
   ``otter run`` does) and fails unless it scores full marks.

OUTDIR defaults to ``_build/assignments`` (git-ignored); nothing generated is committed.  The Gradescope
image installs the packages in ``requirements.txt``; set ``GMMLIB_REQUIREMENT`` (e.g.
``gmmlib @ git+https://github.com/<you>/<book-repo>``) to add the line that installs gmmlib there.
``tests/assignments`` calls ``build`` below, so the tests exercise the same code path as
``make assignments``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "assignments"
REQUIREMENTS = SOURCES / "requirements.txt"
DEFAULT_OUT = ROOT / "_build" / "assignments"


def assignment_names() -> list[str]:
    """Every folder ``assignments/<name>/`` that holds ``<name>.md``, sorted."""
    return sorted(p.parent.name for p in SOURCES.glob("*/*.md") if p.stem == p.parent.name)


def autograder_zip(outdir: Path, name: str) -> Path:
    """The autograder zip Otter Assign wrote for ``name`` (its file name carries a timestamp)."""
    zips = sorted((outdir / name / "autograder").glob(f"{name}-autograder_*.zip"))
    if len(zips) != 1:
        raise FileNotFoundError(f"expected one autograder zip for {name} in {outdir / name}, got {zips}")
    return zips[0]


def write_requirements(target: Path) -> None:
    lines = REQUIREMENTS.read_text().splitlines()
    extra = os.environ.get("GMMLIB_REQUIREMENT", "").strip()
    if extra:
        lines.append(extra)
    target.write_text("\n".join(lines) + "\n")


def build_one(name: str, outdir: Path, run_tests: bool = True) -> dict[str, Path]:
    """Convert, then run Otter Assign on one assignment; return the paths it produced."""
    from otter.assign import main as otter_assign

    source_md = SOURCES / name / f"{name}.md"
    if not source_md.is_file():
        raise FileNotFoundError(f"no assignment source {source_md}")
    target = outdir / name
    shutil.rmtree(target, ignore_errors=True)
    source_dir = target / "source"
    source_dir.mkdir(parents=True)
    master = source_dir / f"{name}.ipynb"
    jupytext.write(jupytext.read(source_md), master, fmt="ipynb")
    write_requirements(source_dir / "requirements.txt")

    otter_assign(str(master), str(target), no_pdfs=True, no_run_tests=not run_tests)

    paths = {
        "source": master,
        "student": target / "student" / f"{name}.ipynb",
        "autograder": target / "autograder" / f"{name}.ipynb",
        "zip": autograder_zip(outdir, name),
    }
    for label, path in paths.items():
        if not path.is_file():
            raise FileNotFoundError(f"otter assign did not write the {label} file {path}")
    return paths


def build(outdir: Path = DEFAULT_OUT, names: list[str] | None = None, run_tests: bool = True,
          verbose: bool = True) -> dict[str, dict[str, Path]]:
    """Build every assignment (or ``names``) into ``outdir``; return ``{name: paths}``."""
    outdir = Path(outdir).resolve()
    names = names or assignment_names()
    if not names:
        raise FileNotFoundError(f"no assignments found under {SOURCES}")
    built = {}
    for name in names:
        start = time.perf_counter()
        built[name] = build_one(name, outdir, run_tests)
        if verbose:
            checked = "solutions graded: full marks" if run_tests else "solutions not graded"
            print(f"build_assignments: {name}: {time.perf_counter() - start:.1f} s ({checked})",
                  flush=True)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="build only these assignments")
    parser.add_argument("--no-run-tests", action="store_true",
                        help="do not grade the solution notebooks with their autograders")
    args = parser.parse_args(argv)
    outdir = args.outdir if args.outdir.is_absolute() else Path.cwd() / args.outdir
    built = build(outdir, args.only, run_tests=not args.no_run_tests)
    for name, paths in built.items():
        print(f"  {name}: student {paths['student'].relative_to(outdir)}, "
              f"autograder {paths['zip'].relative_to(outdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
