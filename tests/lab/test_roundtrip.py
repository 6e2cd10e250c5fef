"""Opening, running and saving a chapter in JupyterLab leaves it unchanged (``make lab``).

Each ``book/*.md`` goes through jupytext's contents manager the way JupyterLab uses it: read as
a notebook, given the kernel metadata, execution counts and outputs that running it adds,
saved back to MyST (``tools/lab_roundtrip.py``).  The saved text must equal the source.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import lab_roundtrip  # noqa: E402

CHAPTERS = lab_roundtrip.CHAPTERS


def test_every_page_of_the_book_is_checked():
    toc = (ROOT / "_toc.yml").read_text()
    in_toc = {line.split("file:")[1].strip() for line in toc.splitlines() if "file:" in line}
    in_toc.add(toc.split("root:")[1].split()[0])
    assert in_toc <= {f"book/{path.stem}" for path in CHAPTERS}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.name)
def test_lab_save_leaves_the_chapter_unchanged(chapter):
    source = chapter.read_text()
    saved = lab_roundtrip.lab_save(chapter)
    diff = "\n".join(difflib.unified_diff(source.splitlines(), saved.splitlines(),
                                          "source", "after a JupyterLab save", lineterm="", n=1))
    assert saved == source, (
        f"Saving {chapter.name} from JupyterLab would rewrite it:\n{diff[:3000]}\n"
        "Run `python tools/lab_roundtrip.py --write` to put the chapters in the form jupytext writes."
    )


def test_the_check_can_fail(tmp_path):
    """A chapter in a form jupytext does not write (the version stamp it drops) is caught."""
    chapter = CHAPTERS[1]
    source = chapter.read_text()
    stamped = source.replace("format_version: 0.13\n", "format_version: 0.13\n    jupytext_version: 1.0.0\n", 1)
    assert stamped != source
    copy = tmp_path / chapter.name
    copy.write_text(stamped)
    assert lab_roundtrip.lab_save(copy) != stamped
