"""Convert the book's MyST chapters to .ipynb (with jupytext) for nbval.

    python tools/convert_notebooks.py [OUTDIR]        (default: _build/notebooks)

Every page in ``_toc.yml`` that is a notebook (its front matter has a ``kernelspec``) is
written to ``OUTDIR/<path>.ipynb``, e.g. ``_build/notebooks/book/01_mixture_models.ipynb``;
notebooks left from pages no longer in the toc are removed.  The outputs are ignored by git.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_docs() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [d.removesuffix(".md") for d in docs]


def main(outdir: Path) -> int:
    written = set()
    missing = []
    for doc in toc_docs():
        source = ROOT / f"{doc}.md"
        if not source.is_file():
            missing.append(source.relative_to(ROOT).as_posix())
            continue
        notebook = jupytext.read(source)
        if "kernelspec" not in notebook.metadata:
            continue  # a plain Markdown page (appendix, bibliography)
        target = outdir / f"{doc}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(notebook, target, fmt="ipynb")
        written.add(target.resolve())
    for stale in outdir.rglob("*.ipynb"):
        if stale.resolve() not in written:
            stale.unlink()
    print(f"convert_notebooks: {len(written)} notebook(s) in {outdir}")
    if missing:
        print("convert_notebooks: in _toc.yml but missing: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "notebooks"
    sys.exit(main(out if out.is_absolute() else Path.cwd() / out))
