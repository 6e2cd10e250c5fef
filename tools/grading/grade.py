"""Grade a class: every submission of one assignment, each in isolation, with a wall-clock limit.

    python tools/grading/grade.py JUDGE_DIR SUBMISSIONS OUT [--timeout 300] [--workers 2]

(``make grade ASSIGNMENT=<name> SUBMISSIONS=<dir> OUT=<dir>`` calls this with the assignment's
``_build/assignments/<name>/judge`` folder, written by ``make assignments``.)

For every ``SUBMISSIONS/*.ipynb`` (the file's stem is the submission id):

* phase 1 (``harness.py``) runs the notebook in a fresh temporary folder that holds only the
  submission, the harness and the judge cases' inputs.  It runs in new mount and PID namespaces
  (``unshare``), where the repository, the judge folder, the submissions, OUT, /tmp and the home
  folders are hidden behind empty file systems; as root it also drops to the unprivileged user
  ``nobody``.  The environment is empty but for PATH, HOME and MPLBACKEND, the repository is on no
  path, and a wall-clock limit (``--timeout``) kills every process of the submission;
* phase 2 (``judge.py``) compares the recorded answers with the references, here, in this process,
  in which no student code ever ran.

It writes ``OUT/grades.csv`` (``submission,score,max_score,status`` and one column per question;
status ``graded``, ``timeout``, ``error`` or ``flagged``), ``OUT/flagged.txt`` (flagged submissions and
why: they score 0 until the instructor has looked), ``OUT/details/<id>.json`` (for the instructor:
per-case notes and errors) and ``OUT/feedback/<id>.txt`` (for the student: scores per question and
the public tests' output only; nothing about hidden cases).  Temporary folders are always removed.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from judge import MalformedReport, score_submission  # noqa: E402

HARNESS = Path(__file__).resolve().parent / "harness.py"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT = 300
MAX_WORKERS = 2
MAX_NOTEBOOK_BYTES = 20_000_000
MAX_FILE_BYTES = 50_000_000        # any file phase 1 writes (its output log and answers included)
MAX_MEMORY_BYTES = 4_000_000_000
NOBODY = 65534
PUBLIC_WORDS = ("passed", "failed", "not run")   # all a feedback file says about public tests
HIDDEN_ALWAYS = ("/tmp", "/var/tmp", "/root", "/home", "/work", "/autograder", "/media", "/srv",
                 "/dev/shm")

# Runs as the first process of the new namespaces.  It hides every folder a submission must not
# see behind an empty file system, except the Python environment and its base installation, which
# it mounts back read-only at their own paths; then it starts phase 1 in the grading folder, as the
# unprivileged user nobody when run as root.  Arguments: work folder, python, drop (1/0), the
# number of folders to keep, those folders, then the folders to hide.
SANDBOX_SCRIPT = r"""
set -e
work="$1"; python="$2"; drop="$3"; nkeep="$4"; shift 4
mount -t tmpfs -o size=16m,mode=755 grading /mnt
mkdir /mnt/work
mount --bind "$work" /mnt/work
i=0; keep=""
while [ "$i" -lt "$nkeep" ]; do
  mkdir "/mnt/keep$i"; mount --bind "$1" "/mnt/keep$i"; keep="$keep $1"; shift; i=$((i + 1))
done
for hide in "$@"; do
  if [ -d "$hide" ]; then mount -t tmpfs -o size=1m,mode=755 hidden "$hide"; fi
done
i=0
for path in $keep; do
  mkdir -p "$path"; mount --bind "/mnt/keep$i" "$path"
  mount -o remount,bind,ro "$path" 2>/dev/null || true; i=$((i + 1))
done
cd /mnt/work
set -- env -i PATH=/usr/bin:/bin HOME=/mnt/work MPLBACKEND=Agg "$python" -I -B harness.py submission.ipynb cases.json answers.json
if [ "$drop" = 1 ]; then
  exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs "$@"
fi
exec "$@"
"""


class GradingSetupError(RuntimeError):
    """The machine cannot isolate a submission (no ``unshare``): grading would not be safe."""


def _namespace_flags() -> list[str]:
    flags = ["--mount", "--pid", "--fork", "--kill-child", "--propagation", "private"]
    return flags if os.geteuid() == 0 else ["--user", "--map-root-user", *flags]


@functools.lru_cache(maxsize=None)
def namespaces_work() -> bool:
    """Whether this machine lets us create the sandbox's namespaces (an unprivileged container does
    not).  ``GRADING_SANDBOX=container`` says no, to use (and test) the container mode."""
    if os.environ.get("GRADING_SANDBOX") == "container" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", *_namespace_flags(), "/bin/sh", "-c", "mount -t tmpfs probe /mnt"],
                           capture_output=True)
    return probe.returncode == 0


def sandbox_command(work: Path, python_prefix: Path, hidden: list[str], container_mode: bool = False) -> list[str]:
    """The command that runs phase 1 in ``work``: inside new mount and PID namespaces, or, in a
    throwaway container that allows none (``container_mode``, Gradescope), as the user nobody."""
    python = python_prefix / "bin" / "python"
    if not python.exists():
        raise GradingSetupError(f"no Python environment at {python_prefix}: run make assignments first")
    is_root = os.geteuid() == 0
    if namespaces_work():
        base = Path(os.path.realpath(python)).parents[1]     # the installation a venv's python links to
        keep = sorted({str(python_prefix), str(base)})
        return ["unshare", *_namespace_flags(), "/bin/sh", "-c", SANDBOX_SCRIPT, "sandbox", str(work),
                str(python), "1" if is_root else "0", str(len(keep)), *keep, *hidden]
    if container_mode and is_root:
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--no-new-privs",
                "env", "-i", "PATH=/usr/bin:/bin", f"HOME={work}", "MPLBACKEND=Agg", str(python), "-I", "-B",
                "harness.py", "submission.ipynb", "cases.json", "answers.json"]
    raise GradingSetupError(
        "this machine cannot create the mount and PID namespaces that isolate a submission (util-linux's "
        "unshare is missing, or this is an unprivileged container): grade on a Linux machine or VM, or in "
        "a container started with --cap-add SYS_ADMIN")


def _limits():
    import resource
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY_BYTES, MAX_MEMORY_BYTES))


def run_phase1(notebook_text: str, cases: dict, timeout: float, python_prefix: Path,
               hidden: list[str], public_tests: Path | None = None, container_mode: bool = False) -> dict:
    """Phase 1 for one notebook: ``{"status", "report", "log", "seconds"}``; never raises for the
    submission's sake.  The temporary folder is removed whatever happened."""
    nonce = secrets.token_hex(16)
    root = Path(tempfile.mkdtemp(prefix="gmm-grading-"))
    start = time.monotonic()
    try:
        os.chmod(root, 0o711)   # in container mode the user nobody must reach work/ (not list root)
        work = root / "work"
        work.mkdir()
        (work / "submission.ipynb").write_text(notebook_text, encoding="utf-8")
        (work / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
        shutil.copy(HARNESS, work / "harness.py")
        if public_tests is not None and public_tests.is_dir():
            shutil.copytree(public_tests, work / "tests")
        if os.geteuid() == 0:
            for folder, _, files in os.walk(work):
                for path in (folder, *(os.path.join(folder, name) for name in files)):
                    os.chown(path, NOBODY, NOBODY)
        log_path = root / "phase1.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(sandbox_command(work, python_prefix, hidden, container_mode), cwd=work,
                                       stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True, preexec_fn=_limits, env={"PATH": "/usr/bin:/bin"})
            try:
                process.stdin.write(f"{nonce}\n".encode())
                process.stdin.close()
            except BrokenPipeError:
                pass
            try:
                process.wait(timeout=timeout)
                status = "done"
            except subprocess.TimeoutExpired:
                status = "timeout"
            _kill_group(process)
        log_text = _tail(log_path)
        if status == "timeout":
            return {"status": "timeout", "log": log_text, "seconds": time.monotonic() - start}
        answers = work / "answers.json"
        if process.returncode != 0 or not answers.is_file() or answers.is_symlink():
            return {"status": "error", "log": log_text + f"\n(phase 1 exit code {process.returncode})",
                    "seconds": time.monotonic() - start}
        if answers.stat().st_size > MAX_FILE_BYTES:
            return {"status": "error", "log": "answers file too large", "seconds": time.monotonic() - start}
        try:
            report = json.loads(answers.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return {"status": "error", "log": f"answers unreadable: {exc}", "seconds": time.monotonic() - start}
        return {"status": "done", "report": report, "nonce": nonce, "log": log_text,
                "seconds": time.monotonic() - start}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _tail(path: Path, size: int = 4000) -> str:
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - size))
        return handle.read().decode("utf-8", "replace")


class Judge:
    """An assignment's judge folder: ``spec.json`` (cases) and ``references.json`` (expected answers)."""

    def __init__(self, judge_dir: Path, python_prefix: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
                 container_mode: bool = False):
        judge_dir = Path(judge_dir)
        self.assignment = judge_dir.resolve().parent.name   # _build/assignments/<name>/judge
        if not (judge_dir / "spec.json").is_file():
            raise FileNotFoundError(f"{judge_dir} has no spec.json: run make assignments first")
        self.spec = json.loads((judge_dir / "spec.json").read_text())
        references = judge_dir / "references.json"
        self.references = json.loads(references.read_text()) if references.is_file() else None
        self.python_prefix = Path(python_prefix or sys.prefix)
        self.timeout = timeout
        self.container_mode = container_mode
        self.public_tests = judge_dir / "tests"
        self.hidden = [*HIDDEN_ALWAYS, str(judge_dir.resolve()), str(REPO)]

    def questions(self) -> list[str]:
        return list(self.spec["questions"])

    def max_score(self) -> float:
        return sum(info["points"] for info in self.spec["questions"].values() if not info["manual"])

    def record(self, notebook_path: Path) -> dict:
        """Phase 1 only: the answers of a (trusted) notebook, e.g. the solution's, as references."""
        outcome = run_phase1(Path(notebook_path).read_text(encoding="utf-8"), self.spec, self.timeout,
                             self.python_prefix, self.hidden + [str(Path(notebook_path).parent.resolve())],
                             self.public_tests, self.container_mode)
        if outcome["status"] != "done":
            raise RuntimeError(f"recording {notebook_path} failed ({outcome['status']}):\n{outcome['log']}")
        return {"answers": outcome["report"]["answers"], "cell_errors": outcome["report"]["cell_errors"]}

    def grade(self, notebook_path: Path, extra_hidden: list[str] = ()) -> dict:
        """Phases 1 and 2 for one submission: a row of grades.csv plus details."""
        submission = Path(notebook_path).stem
        row = {"submission": submission, "score": 0.0, "max_score": self.max_score(),
               "status": "error", "questions": {}, "notes": [], "flags": []}
        try:
            data = Path(notebook_path).read_bytes()
            if len(data) > MAX_NOTEBOOK_BYTES:
                raise ValueError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES} bytes")
            text = data.decode("utf-8")
            json.loads(text)
        except (OSError, ValueError) as exc:
            row["notes"].append(f"not a readable notebook: {exc}")
            return row
        outcome = run_phase1(text, self.spec, self.timeout, self.python_prefix,
                             self.hidden + list(extra_hidden), self.public_tests, self.container_mode)
        row["seconds"] = round(outcome["seconds"], 1)
        if outcome["status"] != "done":
            row["status"] = outcome["status"]
            row["notes"].append(outcome["log"][-2000:])
            return row
        try:
            judged = score_submission(self.spec, self.references, outcome["report"], text, outcome["nonce"])
        except MalformedReport as exc:
            row.update(status="flagged", flags=[f"malformed answers file: {exc}"])
            return row
        row["questions"] = judged["questions"]
        row["cell_errors"] = outcome["report"].get("cell_errors", [])
        row["public_tests"] = outcome["report"].get("public_tests", {})
        if judged["flags"]:
            row.update(status="flagged", flags=judged["flags"])
            return row
        row["status"] = "graded"
        row["score"] = round(sum(q["score"] for q in judged["questions"].values() if q["score"] is not None), 4)
        return row


def write_outputs(judge: Judge, rows: list[dict], out: Path, notebooks: dict[str, Path] | None = None) -> None:
    """grades.csv, flagged.txt, details/<id>.json, feedback/<id>.txt and, for assignments with
    hand-graded questions, written/<question>.html and written/written_scores.csv under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    questions = judge.questions()
    with open(out / "grades.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "score", "max_score", "status", *questions])
        for row in rows:
            cells = []
            for q in questions:
                info = judge.spec["questions"][q]
                if info["manual"]:
                    cells.append("manual")
                elif row["status"] == "graded":
                    cells.append(row["questions"][q]["score"])
                else:
                    cells.append(0)
            writer.writerow([row["submission"], row["score"], row["max_score"], row["status"], *cells])
    flagged = [row for row in rows if row["status"] == "flagged"]
    with open(out / "flagged.txt", "w") as handle:
        for row in flagged:
            handle.write(f"{row['submission']}:\n" + "".join(f"  - {flag}\n" for flag in row["flags"]))
    for folder in ("details", "feedback"):
        (out / folder).mkdir(exist_ok=True)
    for row in rows:
        (out / "details" / f"{row['submission']}.json").write_text(json.dumps(row, indent=1, default=str))
        (out / "feedback" / f"{row['submission']}.txt").write_text(feedback_text(judge, row))
    manual = any(info["manual"] for info in judge.spec["questions"].values())
    if notebooks and manual and (REPO / "assignments" / judge.assignment).is_dir():
        export_written(judge.assignment, next(iter(notebooks.values())).parent, out / "written")


def export_written(assignment: str, submissions: Path, out: Path) -> None:
    """The written answers, one page per hand-graded question (``tools/export_written.py``)."""
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import export_written as exporter
    finally:
        sys.path.remove(str(REPO / "tools"))
    exporter.export(assignment, submissions, out)


def feedback_text(judge: Judge, row: dict) -> str:
    """What a student may see: the scores and the public tests' output; no hidden case."""
    lines = [f"Submission {row['submission']}: {row['score']} / {row['max_score']} ({row['status']})", ""]
    if row["status"] == "timeout":
        lines.append(f"The notebook did not finish within {judge.timeout:.0f} s (is there an endless loop?).")
    elif row["status"] == "error":
        lines.append("The notebook could not be graded; your instructor has the details.")
    elif row["status"] == "flagged":
        lines.append("Your instructor will look at this submission before it gets a score.")
    for q in judge.questions():
        info = judge.spec["questions"][q]
        if info["manual"]:
            lines.append(f"{q}: graded by hand ({info['points']:g} points)")
        elif row["status"] == "graded":
            lines.append(f"{q}: {row['questions'][q]['score']:g} / {info['points']:g}")
    public = row.get("public_tests") or {}
    if public:
        lines += ["", "Public tests (the grader.check cells of your notebook):"]
        lines += [f"{q}: {public.get(q) if public.get(q) in PUBLIC_WORDS else 'not run'}"
                  for q in judge.questions() if not judge.spec["questions"][q]["manual"]]
    return "\n".join(lines) + "\n"


def grade_class(judge: Judge, submissions: Path, out: Path, workers: int = MAX_WORKERS) -> list[dict]:
    """Grade every ``submissions/*.ipynb`` with at most ``workers`` (<= 2) in parallel; write outputs."""
    notebooks = sorted(Path(submissions).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no *.ipynb submissions in {submissions}")
    extra = [str(Path(submissions).resolve()), str(Path(out).resolve())]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, MAX_WORKERS))) as pool:
        rows = list(pool.map(lambda nb: judge.grade(nb, extra), notebooks))
    write_outputs(judge, rows, Path(out), {nb.stem: nb for nb in notebooks})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("judge_dir", type=Path, help="_build/assignments/<name>/judge")
    parser.add_argument("submissions", type=Path, help="folder of *.ipynb submissions")
    parser.add_argument("out", type=Path, help="folder for grades.csv, flagged.txt, feedback/")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission")
    parser.add_argument("--workers", type=int, default=MAX_WORKERS, help="parallel submissions (1 or 2)")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    judge = Judge(args.judge_dir, timeout=args.timeout)
    start = time.monotonic()
    rows = grade_class(judge, args.submissions, args.out, args.workers)
    counts = {status: sum(row["status"] == status for row in rows)
              for status in ("graded", "timeout", "error", "flagged")}
    print(f"graded {len(rows)} submissions in {time.monotonic() - start:.0f} s: "
          + ", ".join(f"{n} {status}" for status, n in counts.items())
          + f"; wrote {args.out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
