"""Vendor axe-core (the accessibility checker) for the browser tests of the built book.

``tests/book/test_accessibility.py`` runs axe-core on every page of the site.  The test server
serves ``axe.min.js`` from ``_build/test-vendor/axe-core`` (outside the site: readers never
download it) and the test injects it into each page, so nothing comes from a CDN.  The file
is taken from the npm registry with ``npm pack`` (a pinned version, checked against the SHA-1
npm reports), like MathJax in ``tools/fetch_mathjax.py``.

``make axe`` runs this; ``make test`` and ``make test-book`` depend on it.  It does nothing
when the right version is already in place.
"""

from __future__ import annotations

import sys
import tarfile
import tempfile
from pathlib import Path

from fetch_mathjax import ROOT, npm_pack

VERSION = "4.14.1"
SHA1 = "14d8a6f3f085afd126b8b5ca1e42e50e17fb1d99"  # of axe-core-4.14.1.tgz (`npm view axe-core@4.14.1 dist.shasum`)
DEST = ROOT / "_build" / "test-vendor" / "axe-core"
SCRIPT = DEST / "axe.min.js"
STAMP = DEST / "VERSION"


def is_current() -> bool:
    return STAMP.is_file() and STAMP.read_text().strip() == VERSION and SCRIPT.is_file()


def ensure(quiet: bool = False) -> Path:
    """Make sure ``_build/test-vendor/axe-core/axe.min.js`` is axe-core ``VERSION``; return its path."""
    if is_current():
        return SCRIPT
    with tempfile.TemporaryDirectory() as tmp:
        tarball = npm_pack("axe-core", VERSION, SHA1, Path(tmp))
        with tarfile.open(tarball) as tar:
            source = tar.extractfile("package/axe.min.js")
            DEST.mkdir(parents=True, exist_ok=True)
            SCRIPT.write_bytes(source.read())
    STAMP.write_text(VERSION + "\n")
    if not quiet:
        print(f"fetch_axe: axe-core {VERSION} vendored into {DEST.relative_to(ROOT)}")
    return SCRIPT


if __name__ == "__main__":
    ensure()
    sys.exit(0)
