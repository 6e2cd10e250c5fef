"""Run the test suite as a few pytest processes in parallel, then print one summary.

``make test`` calls this after it has built the book (and the PDF and the notebooks).  The
suite splits into groups that share nothing but the built files: the library and the package,
the built book in a browser with the chapters under nbval, and the assignments (which build and
grade in their own environment).  Much of each group's time is spent waiting (kernels starting,
a browser loading pages, submissions graded in sandboxes), so on a 2-core machine running them
side by side takes little more than the longest.

Each group writes its output to ``_build/test-logs/<group>.log`` and a JUnit report next to it;
each log is printed in full when its group ends, and the last line is the total over all groups,
``total: N passed, N failed, N skipped``.  The exit status is non-zero when any group failed
(or collected nothing).

    python tools/run_tests.py GROUP=ARGS [GROUP=ARGS ...]

where ARGS are pytest's arguments for that group, e.g. ``library="tests/library tests/packaging"``.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "_build" / "test-logs"


def counts(report: Path) -> dict[str, int]:
    """passed/failed/skipped from a JUnit report (errors count as failures)."""
    if not report.is_file():
        return {"passed": 0, "failed": 1, "skipped": 0}
    suites = ElementTree.parse(report).getroot()
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites.iter("testsuite"):
        for key in total:
            total[key] += int(suite.get(key, 0))
    failed = total["failures"] + total["errors"]
    return {"passed": total["tests"] - failed - total["skipped"], "failed": failed, "skipped": total["skipped"]}


def uncovered(groups: dict[str, str]) -> list[str]:
    """Test folders and files under tests/ that no group runs (a new folder must join a group)."""
    named = {Path(arg).as_posix().rstrip("/") for args in groups.values() for arg in shlex.split(args)}
    tests = ROOT / "tests"
    candidates = [p for p in tests.iterdir() if (p.is_dir() and any(p.rglob("test_*.py")))
                  or (p.is_file() and p.name.startswith("test_"))]
    return sorted(str(p.relative_to(ROOT)) for p in candidates if str(p.relative_to(ROOT)) not in named)


def main(argv: list[str]) -> int:
    groups = dict(arg.split("=", 1) for arg in argv)
    missing = uncovered(groups)
    if missing:
        print(f"tools/run_tests.py: no group runs {', '.join(missing)}: add them to TEST_GROUPS in the Makefile")
        return 2
    LOGS.mkdir(parents=True, exist_ok=True)
    running = {}
    for name, args in groups.items():
        log = LOGS / f"{name}.log"
        report = LOGS / f"{name}.xml"
        report.unlink(missing_ok=True)
        command = [sys.executable, "-m", "pytest", *shlex.split(args), f"--junitxml={report}"]
        print(f"[{name}] {' '.join(command[2:])}", flush=True)
        running[name] = (subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT),
                         log, report, time.monotonic())
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    failed_groups = []
    while running:
        for name, (process, log, report, start) in list(running.items()):
            if process.poll() is None:
                continue
            del running[name]
            print(f"\n{'=' * 30} {name}: exit {process.returncode} after {time.monotonic() - start:.0f} s "
                  f"{'=' * 30}\n{log.read_text()}", flush=True)
            group = counts(report)
            if process.returncode != 0 and group["failed"] == 0:
                group["failed"] = 1   # e.g. over the execution budget, or no test collected
            for key in totals:
                totals[key] += group[key]
            if process.returncode != 0:
                failed_groups.append(name)
        time.sleep(1)
    if failed_groups:
        print(f"groups that failed: {', '.join(failed_groups)}")
    print(f"total: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    return 1 if failed_groups else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
