"""Fixtures for the tests of the PDF edition (``make pdf`` writes ``_build/pdf/gmm-em-book.pdf``).

``make test`` builds the PDF first and sets BOOK_TESTS_REQUIRED=1, so a missing PDF or missing
poppler tools are failures there.  Run on their own without a PDF, these tests are skipped with
a message saying how to build it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "gmm-em-book.pdf"
POPPLER_TOOLS = ["pdftotext", "pdfinfo", "pdffonts", "pdfimages", "pdftoppm"]
REQUIRED = os.environ.get("BOOK_TESTS_REQUIRED") == "1"


def _missing(message: str):
    if REQUIRED:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def run(*command: str) -> str:
    """Run a poppler tool and return its standard output (a failure raises with its stderr)."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


@pytest.fixture(scope="session")
def pdf() -> Path:
    missing_tools = [tool for tool in POPPLER_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        _missing(f"poppler tools {missing_tools} not found: `make poppler` installs poppler-utils")
    if not PDF.is_file():
        _missing(f"no PDF at {PDF}: run `make pdf` (or `make test`, which builds it) first")
    return PDF


@pytest.fixture(scope="session")
def pages_text(pdf) -> list[str]:
    """The text of every page (pdftotext separates pages with a form feed)."""
    pages = run("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@pytest.fixture(scope="session")
def pdf_info(pdf) -> dict[str, str]:
    info = {}
    for line in run("pdfinfo", str(pdf)).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info
