"""Fixtures for the release tests: gmmlib built as the release workflow builds it, and a fresh
virtual environment that has only that wheel (with the ``notebooks`` extra) and a kernel.

- ``dist``: runs ``make dist`` once per session (``python -m build`` + ``twine check --strict``,
  the commands .github/workflows/release.yml runs) and returns the wheel and sdist.
- ``reader_venv``: a venv made from the wheel, cached in ``_build/reader-venv/<key>`` where the
  key hashes the wheel's contents and constraints.txt, so a second ``make test`` reuses it.
- ``reader_notebooks``: the reader notebooks the book build wrote (``_build/html/_sources``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
VENVS = ROOT / "_build" / "reader-venv"
REQUIRED = os.environ.get("BOOK_TESTS_REQUIRED") == "1"


@dataclass
class Dist:
    wheel: Path
    sdist: Path
    log: str


@pytest.fixture(scope="session")
def dist() -> Dist:
    result = subprocess.run(["make", "dist"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"make dist failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    wheels = sorted((ROOT / "dist").glob("*.whl"))
    sdists = sorted((ROOT / "dist").glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, f"dist/ should hold one wheel and one sdist: {wheels + sdists}"
    return Dist(wheels[0], sdists[0], result.stdout)


def wheel_content_hash(wheel: Path) -> str:
    """A hash of the wheel's files (not the zip's bytes, whose timestamps may differ)."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode() + b"\0" + archive.read(name))
    digest.update((ROOT / "constraints.txt").read_bytes())
    return digest.hexdigest()[:16]


def fresh_venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def reader_venv(dist) -> Path:
    """A venv with only gmmlib[notebooks] from the wheel, ipykernel and nbclient (pinned)."""
    venv = VENVS / wheel_content_hash(dist.wheel)
    ready = venv / ".ready"
    if ready.is_file():
        return venv
    shutil.rmtree(VENVS, ignore_errors=True)  # older keys: a changed wheel or stack
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = [
        str(fresh_venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "-c", str(ROOT / "constraints.txt"), f"gmmlib[notebooks] @ {dist.wheel.as_uri()}", "ipykernel", "nbclient",
    ]
    result = subprocess.run(install, capture_output=True, text=True, cwd=venv)
    assert result.returncode == 0, f"installing the wheel failed:\n{result.stderr[-3000:]}"
    ready.write_text(dist.wheel.name + "\n")
    return venv


def _missing(message: str):
    if REQUIRED:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def reader_notebooks() -> list[Path]:
    notebooks = sorted((SITE / "_sources").rglob("*.ipynb"))
    if not notebooks:
        _missing(f"no reader notebooks in {SITE / '_sources'}: run `make book` first")
    return notebooks
