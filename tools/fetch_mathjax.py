"""Vendor MathJax 3 into ``_build/vendor/mathjax`` so the book serves its own copy.

The HTML book must not load anything from a CDN (it is read offline too), so the build
takes MathJax from the npm registry with ``npm pack`` (a pinned version, checked against a
known SHA-1) and unpacks the browser components (``es5/``) into an ignored folder.  Sphinx
then copies that folder into ``_build/html/_static/mathjax`` (see ``html_static_path`` and
``mathjax_path`` in ``_config.yml``).  MathJax finds its fonts and lazily loaded extensions
relative to its own script, so they load from the site as well.

Run it directly (``python tools/fetch_mathjax.py``) or let the book's Sphinx extension
(``tools/sphinx_gmm_book.py``) call :func:`ensure` at the start of every build; it does
nothing when the right version is already in place.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "3.2.2"
SHA1 = "c754d7b46a679d7f3fa03543d6b8bf124ddf9f6b"  # of mathjax-3.2.2.tgz, as `npm pack` reports it
ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "_build" / "vendor"
DEST = VENDOR / "mathjax"
STAMP = DEST / "VERSION"

# Combined bundles the book never loads (it uses tex-chtml.js); the component folders stay,
# because MathJax loads extensions, fonts and menu features from them on demand.
# ``latest.js`` is left out on purpose: it exists to fetch MathJax from a CDN.
SKIP = {
    "latest.js",
    "node-main.js",
    "mml-chtml.js",
    "mml-svg.js",
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "tex-mml-chtml.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
}


def is_current() -> bool:
    return STAMP.is_file() and STAMP.read_text().strip() == VERSION and (DEST / "tex-chtml.js").is_file()


def npm_pack(package: str, version: str, sha1: str, into: Path) -> Path:
    """Download ``package@version`` from the npm registry into ``into``; check its SHA-1.

    Returns the path of the tarball (``<package>-<version>.tgz``, with the files under ``package/``).
    Also used by ``tools/fetch_axe.py``.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            f"`npm` was not found: {package} is taken from the npm registry (nothing is loaded "
            "from a CDN). Install Node.js with npm (Debian/Ubuntu: `apt-get install npm`) and "
            "run the build again."
        )
    result = subprocess.run(
        [npm, "pack", f"{package}@{version}", "--pack-destination", str(into), "--silent"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"`npm pack {package}@{version}` failed:\n{result.stderr}")
    tarball = into / f"{package}-{version}.tgz"
    digest = hashlib.sha1(tarball.read_bytes()).hexdigest()
    if digest != sha1:
        raise SystemExit(f"{tarball.name} has SHA-1 {digest}, expected {sha1}")
    return tarball


def ensure(quiet: bool = False) -> Path:
    """Make sure ``_build/vendor/mathjax`` holds MathJax ``VERSION``; return the folder."""
    if is_current():
        return DEST
    with tempfile.TemporaryDirectory() as tmp:
        tarball = npm_pack("mathjax", VERSION, SHA1, Path(tmp))
        staging = Path(tmp) / "mathjax"
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts  # package/es5/...
                if len(parts) < 3 or parts[1] != "es5" or not member.isfile():
                    continue
                rel = Path(*parts[2:])
                if len(rel.parts) == 1 and rel.name in SKIP:
                    continue
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        (staging / "VERSION").write_text(VERSION + "\n")
        if DEST.exists():
            shutil.rmtree(DEST)
        VENDOR.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), DEST)
    if not quiet:
        print(f"fetch_mathjax: MathJax {VERSION} vendored into {DEST.relative_to(ROOT)}")
    return DEST


if __name__ == "__main__":
    ensure()
    sys.exit(0)
