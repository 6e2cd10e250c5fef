"""The Gradescope autograder: the same judge as ``make grade``, in Gradescope's folder layout.

Building (``write_gradescope_zip``, called by ``tools/build_assignments.py``): otter's autograder zip
gives ``setup.sh`` and ``environment.yml`` (a conda environment on Python 3.11 with the pinned
``requirements.txt``); we add the gmmlib wheel built from this checkout, ``constraints.txt``,
``install.sh`` (installs the pinned stack and the bundled wheel: no network or git URL needed for
gmmlib), the judge (``grading/``) and the assignment's judge folder (``judge/``), and replace
``run_autograder`` with ours.

Grading (``python grading/gradescope.py ROOT``, run by ``run_autograder``; ROOT is ``/autograder``
on Gradescope): grades the one notebook in ``ROOT/submission`` like ``make grade`` grades one
submission, and writes ``ROOT/results/results.json`` in Gradescope's format: one test per question,
whose output says only whether its public tests passed.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GRADING_FILES = ("grade.py", "judge.py", "harness.py", "gradescope.py")
OTTER_FILES_REPLACED = ("run_autograder", "run_otter.py", "requirements.txt")

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission.  AUTOGRADER_ROOT lets a test use another folder.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
if [ -x /root/miniforge3/bin/mamba ]; then
  export PATH=/root/miniforge3/bin:$PATH
  eval "$(mamba shell hook --shell bash)"
  mamba activate otter-env
fi
exec python "$root/source/grading/gradescope.py" "$root"
"""

INSTALL_SH = """#!/usr/bin/env bash
# Install what grading needs into the active Python: the tested, pinned stack, then gmmlib from the
# wheel in this folder.  Fails if gmmlib cannot be installed and imported.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python -m pip install -c "$here/constraints.txt" -r "$here/requirements.txt"
python -m pip install --no-deps "$here"/gmmlib-*.whl
python -c "import gmmlib; print('gmmlib', gmmlib.__version__ if hasattr(gmmlib, '__version__') else '', 'installed')"
"""


def pinned_requirements(names: list[str], constraints: Path) -> list[str]:
    """``name==version`` for every name, the version taken from ``constraints.txt``."""
    pins = {}
    for line in constraints.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = line.strip()
    missing = [n for n in names if n.lower().replace("_", "-") not in pins]
    if missing:
        raise ValueError(f"{missing} are not pinned in {constraints}: add them (make constraints)")
    return [pins[n.lower().replace("_", "-")] for n in names]


def requirement_names(requirements: Path) -> list[str]:
    """The package names in ``assignments/requirements.txt`` (comments and blank lines skipped)."""
    names = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(re.split(r"[<>=!~\[ ;]", line, maxsplit=1)[0])
    return names


def write_gradescope_zip(otter_zip: Path, judge_dir: Path, wheel: Path, target: Path) -> Path:
    """Write the Gradescope autograder zip ``target`` (see the module docstring)."""
    requirements = "\n".join(pinned_requirements(requirement_names(ROOT / "assignments" / "requirements.txt"),
                                                  ROOT / "constraints.txt")) + "\n"
    with zipfile.ZipFile(otter_zip) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename in OTTER_FILES_REPLACED:
                continue
            data = source.read(item)
            if item.filename == "setup.sh":
                data += b"\n# gmmlib from the bundled wheel, into otter's environment\n" \
                        b"mamba run -n otter-env bash /autograder/source/install.sh\n"
            out.writestr(item, data)
        _write_executable(out, "run_autograder", RUN_AUTOGRADER)
        _write_executable(out, "install.sh", INSTALL_SH)
        out.writestr("requirements.txt", requirements)
        out.write(ROOT / "constraints.txt", "constraints.txt")
        out.write(wheel, wheel.name)
        for name in GRADING_FILES:
            out.write(HERE / name, f"grading/{name}")
        for path in sorted(judge_dir.rglob("*")):
            if path.is_file():
                out.write(path, f"judge/{path.relative_to(judge_dir)}")
    return target


def check_installable(gradescope_zip: Path, python: str = sys.executable) -> None:
    """Fail unless pip can install the zip's requirements and its gmmlib wheel together.

    A dry run (``pip install --dry-run``: resolves from the package index or pip's cache, installs
    nothing), so ``make assignments`` stops before an instructor uploads a zip that cannot grade.
    """
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(gradescope_zip) as archive:
        archive.extractall(folder)
        wheels = sorted(Path(folder).glob("gmmlib-*.whl"))
        if len(wheels) != 1:
            raise RuntimeError(f"{gradescope_zip} must carry exactly one gmmlib wheel, found {wheels}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            if "gmmlib/__init__.py" not in wheel.namelist():
                raise RuntimeError(f"{wheels[0].name} does not contain the gmmlib package")
        command = [python, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
                   "--disable-pip-version-check", "-c", "constraints.txt", "-r", "requirements.txt",
                   wheels[0].name]
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"the Gradescope zip {gradescope_zip.name} could not install gmmlib and "
                               f"its requirements:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


def _write_executable(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def results_json(judge, row: dict) -> dict:
    """Gradescope's results.json for one graded row: a test per question, public results only."""
    tests = []
    for question in judge.questions():
        info = judge.spec["questions"][question]
        if info["manual"]:
            continue
        score = row["questions"][question]["score"] if row["status"] == "graded" else 0.0
        public = (row.get("public_tests") or {}).get(question)
        tests.append({"name": question, "score": score, "max_score": info["points"],
                      "output": f"public tests: {public if public in ('passed', 'failed') else 'not run'}",
                      "visibility": "visible"})
    messages = {"graded": "", "timeout": f"The notebook did not finish within {judge.timeout:.0f} s.",
                "error": "The notebook could not be graded; ask your instructor.",
                "flagged": "Your instructor will review this submission before it gets a score."}
    return {"score": row["score"] if row["status"] == "graded" else 0.0, "tests": tests,
            "output": messages[row["status"]]}


def prepare_container(root: Path) -> None:
    """Gradescope's container allows no namespaces: phase 1 runs as nobody there.  Make the judge's
    files and the results folder root-only, and the Python installation reachable for nobody."""
    import os
    for secret in (root / "source" / "judge" / "references.json", root / "source" / "judge" / "spec.json"):
        os.chmod(secret, 0o600)
    (root / "results").mkdir(exist_ok=True)
    os.chmod(root / "results", 0o700)
    python = Path(sys.prefix) / "bin" / "python"
    for folder in {*Path(sys.prefix).parents, *Path(os.path.realpath(python)).parents}:
        if folder.is_dir():
            os.chmod(folder, os.stat(folder).st_mode | 0o001)   # traverse, not list


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    from grade import Judge, namespaces_work

    root = Path(argv[1] if len(argv) > 1 else "/autograder")
    notebooks = sorted((root / "submission").glob("*.ipynb"))
    if len(notebooks) != 1:
        raise SystemExit(f"expected one .ipynb in {root / 'submission'}, found {[n.name for n in notebooks]}")
    judge = Judge(root / "source" / "judge", container_mode=True)   # read into memory first
    if not namespaces_work():
        prepare_container(root)
    row = judge.grade(notebooks[0], [str(root / "submission")])
    (root / "results").mkdir(exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(results_json(judge, row), indent=1))
    print(f"{notebooks[0].name}: {row['score']} / {row['max_score']} ({row['status']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
