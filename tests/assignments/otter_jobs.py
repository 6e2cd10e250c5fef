"""What the assignment tests do to a generated notebook, one job each, in worker processes.

* ``grade(submission, autograder_zip)``: grade a notebook with an autograder zip exactly as
  ``otter run -a ZIP SUBMISSION`` does (``otter.run.main`` is the function behind that command:
  non-containerised, in a temporary copy of Gradescope's /autograder layout), and return the
  ``results.json`` it writes plus the errors raised by the notebook's cells while it was graded.
* ``execute(notebook)``: run a notebook top to bottom in a fresh kernel, as a student does, in a
  temporary copy of its folder (otter's ``grader.check`` writes a log file next to the notebook);
  return the error of the first failing cell, if any, and the executed notebook.

The functions return plain data (dicts, strings), so they can run in a process pool.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path

import nbformat


def _cell_errors(notebook) -> list[str]:
    errors = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"{output.get('ename')}: {output.get('evalue')}\n--- in cell:\n{cell.source}")
    return errors


def grade(submission: str, autograder_zip: str) -> dict:
    """Grade ``submission`` with ``autograder_zip``; return results.json and the cells' errors."""
    import otter.run

    with tempfile.TemporaryDirectory() as out:
        with contextlib.redirect_stdout(io.StringIO()) as log:
            results = otter.run.main(submission, autograder=autograder_zip, output_dir=out,
                                     no_logo=True)
        report = json.loads((Path(out) / "results.json").read_text())
    return {
        "results": report,
        "total": float(results.total),
        "possible": float(results.possible),
        "cell_errors": _cell_errors(results.notebook) if results.notebook is not None else [],
        "stdout": log.getvalue(),
    }


def execute(notebook: str, timeout: int = 300) -> dict:
    """Execute ``notebook`` in a copy of its folder; return the first error (or None) and the result."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    source = Path(notebook)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp) / source.parent.name
        shutil.copytree(source.parent, workdir)
        nb = nbformat.read(workdir / source.name, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(workdir)}})
        error = None
        try:
            client.execute()
        except CellExecutionError as exc:
            error = str(exc)
    return {"error": error, "notebook": nbformat.writes(nb)}
