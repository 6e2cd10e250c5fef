"""The JupyterLab round trip of a chapter: open it as a notebook, run it, save it.

In ``make lab`` a chapter (``book/*.md``, a MyST notebook) is read by jupytext's contents
manager, run in a kernel, and written back to MyST when the reader (or autosave) saves it.
The written text must equal the source, or every reader who runs a chapter gets a dirty git
tree.  Two things make that hold:

- each chapter's header tells jupytext not to stamp its version into the file
  (``notebook_metadata_filter: -jupytext.text_representation.jupytext_version``: a per-file
  setting, because the same setting in a ``jupytext.toml`` would also apply to the plain
  Markdown pages, whose default filter ``-all`` keeps jupytext from adding a header to them);
- the sources are kept in the form jupytext writes (its YAML layout for the header and the
  cell options, a blank line after a cell's options, the kernelspec as a running kernel
  records it).

``lab_save(path)`` does what JupyterLab does to a file, in a scratch copy: read it through
jupytext's contents manager, add what a kernel adds (the kernelspec of the environment's
``python3`` kernel, ``language_info``, execution counts, outputs, execution timings), save
it, and return the text that was written.  The test suite asserts it equals the source.

Run as a script it puts the chapters in that form::

    python tools/lab_roundtrip.py --check    # list the chapters a save would change (exit 1)
    python tools/lab_roundtrip.py --write    # rewrite them as jupytext would

``--write`` adds the version filter to a chapter's header, and joins the lines of multi-line ``caption``/``alt`` strings (a newline in a
caption is a space in Markdown), so that jupytext writes them as ordinary reflowed YAML rather
than quoted strings with blank lines.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.md"))
JOINED_KEYS = ("caption", "alt")
VERSION_FILTER = "-jupytext.text_representation.jupytext_version"


def kernel_metadata() -> tuple[dict, dict]:
    """The ``kernelspec`` and ``language_info`` that JupyterLab records for the python3 kernel."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    # JupyterLab's NotebookPanel sets {name, display_name, language}, in this order.
    kernelspec = {"name": "python3", "display_name": spec.display_name, "language": spec.language}
    language_info = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": ".".join(map(str, sys.version_info[:3])),
    }
    return kernelspec, language_info


def _as_run(notebook: dict) -> None:
    """Add to ``notebook`` what running it in JupyterLab adds."""
    kernelspec, language_info = kernel_metadata()
    notebook["metadata"]["kernelspec"] = kernelspec
    notebook["metadata"]["language_info"] = language_info
    for count, cell in enumerate(notebook["cells"], start=1):
        if cell["cell_type"] != "code":
            continue
        cell["execution_count"] = count
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "output\n"}]
        cell["metadata"]["execution"] = {
            "iopub.execute_input": "2026-01-01T00:00:00.000000Z",
            "iopub.status.busy": "2026-01-01T00:00:00.000000Z",
            "iopub.status.idle": "2026-01-01T00:00:01.000000Z",
            "shell.execute_reply": "2026-01-01T00:00:01.000000Z",
        }


def _join_lines(value):
    if isinstance(value, dict):
        return {key: (" ".join(item.split()) if key in JOINED_KEYS and isinstance(item, str)
                      else _join_lines(item)) for key, item in value.items()}
    return value


def lab_save(path: Path, *, run: bool = True, join_lines: bool = False) -> str:
    """The text JupyterLab writes for the chapter ``path`` after opening (running) and saving it."""
    from jupytext import TextFileContentsManager

    path = Path(path).resolve()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        relative = Path("book") / path.name
        (root / relative).parent.mkdir(parents=True)
        shutil.copy(path, root / relative)
        manager = TextFileContentsManager(root_dir=str(root))
        notebook = manager.get(str(relative), content=True, type="notebook")["content"]
        if run:
            _as_run(notebook)
        if join_lines:
            jupytext = notebook["metadata"].get("jupytext", {})
            if jupytext.get("text_representation", {}).get("format_name") == "myst":
                jupytext.setdefault("notebook_metadata_filter", VERSION_FILTER)
            for cell in notebook["cells"]:
                cell["metadata"] = _join_lines(cell["metadata"])
        manager.save({"type": "notebook", "format": "json", "content": notebook}, str(relative))
        return (root / relative).read_text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="list chapters a save would change")
    action.add_argument("--write", action="store_true", help="rewrite them in jupytext's form")
    parser.add_argument("files", nargs="*", type=Path, help="default: book/*.md")
    args = parser.parse_args(argv)
    changed = []
    for path in args.files or CHAPTERS:
        source = path.read_text()
        text = lab_save(path, join_lines=args.write)
        if text == source:
            continue
        changed.append(path)
        if args.check:
            print(f"a lab save changes {path}")
            continue
        path.write_text(text)
        print(f"rewrote {path}")
        if lab_save(path) != text:
            print(f"  but a second save still changes it: jupytext cannot keep {path} stable")
            return 1
    return 1 if (changed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
