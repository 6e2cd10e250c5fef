"""Fixtures for the browser tests of the built book (see booksite.py).

``make test`` builds the book first and sets BOOK_TESTS_REQUIRED=1, so a missing site or a
missing Chromium is a failure there.  Run on their own (``pytest tests/book``) without a
built book, these tests are skipped with a message saying how to build it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from booksite import SITE, SiteServer, visit

REQUIRED = os.environ.get("BOOK_TESTS_REQUIRED") == "1"


def _missing(message: str):
    if REQUIRED:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        _missing(f"no built book at {SITE}: run `make book` (or `make test`, which builds it) first")
    return SITE


@pytest.fixture(scope="session")
def base_url(site):
    with SiteServer(site) as server:
        yield server.base_url


@pytest.fixture(scope="session")
def page_report(browser, base_url):
    """``page_report(path)``: visit a page once per session and return its PageReport."""
    cache = {}

    def get(path: str):
        if path not in cache:
            cache[path] = visit(browser, base_url, path)
        return cache[path]

    return get


@pytest.fixture
def page(browser, base_url):
    """A fresh page whose requests to other hosts are blocked; ``page.third_party`` lists them."""
    from booksite import block_other_hosts

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    block_other_hosts(context, base_url, blocked)
    page = context.new_page()
    page.third_party = blocked
    yield page
    context.close()
