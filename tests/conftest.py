"""Shared pytest configuration: per-notebook execution times for the nbval run.

``make test`` runs nbval (``--nbval-lax``) over the chapters converted to ``.ipynb`` in
``_build/notebooks``.  The plugin below sums the duration of every nbval cell item (its
setup, call and teardown, so kernel start-up is counted) per notebook, prints the totals in
the terminal summary, and fails the run when the whole book takes longer than its budget
(BOOK_EXECUTION_BUDGET_S, 180 s by default).

It is registered on the plugin manager (not as conftest hooks) because conftest hooks only
see tests under this folder, and the notebooks live in ``_build/notebooks``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest

CHAPTER_BUDGET_S = 20.0  # CONTRIBUTING.md: a chapter executes in well under 20 s


class NotebookTimes:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.cells: dict[str, int] = defaultdict(int)
        self.failed: set[str] = set()
        self.budget = float(os.environ.get("BOOK_EXECUTION_BUDGET_S", "180"))

    @staticmethod
    def _notebook(report) -> str | None:
        path = report.nodeid.split("::", 1)[0]
        return path if path.endswith(".ipynb") else None

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report) -> None:
        notebook = self._notebook(report)
        if notebook is None:
            return
        self.seconds[notebook] += report.duration
        if report.when == "call":
            self.cells[notebook] += 1
        if report.failed:
            self.failed.add(notebook)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.seconds:
            return
        tr = terminalreporter
        tr.write_sep("=", "notebook execution times (nbval)")
        width = max(len(Path(n).name) for n in self.seconds)
        for notebook in sorted(self.seconds):
            seconds = self.seconds[notebook]
            notes = []
            if seconds > CHAPTER_BUDGET_S:
                notes.append(f"over the {CHAPTER_BUDGET_S:.0f} s a chapter should take")
            if notebook in self.failed:
                notes.append("FAILED")
            tr.write_line(
                f"{Path(notebook).name:<{width}}  {seconds:7.2f} s  {self.cells[notebook]:3d} cells"
                + (f"  ({'; '.join(notes)})" if notes else "")
            )
        tr.write_line(f"{'whole book':<{width}}  {self.total:7.2f} s  (budget {self.budget:.0f} s)")
        if self.total > self.budget:
            tr.write_line(
                f"The book took {self.total:.1f} s to execute, over its {self.budget:.0f} s budget: "
                "make the slow chapters lighter (smaller data, fewer iterations or frames).",
                red=True,
                bold=True,
            )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus) -> None:
        if self.seconds and self.total > self.budget and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) for every browser test: the built book (tests/book) and
    JupyterLab (tests/lab).  Playwright's sync API allows one running instance per process."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "book"))
    from booksite import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not found: install Debian's chromium (`make browser` does it)"
        if os.environ.get("BOOK_TESTS_REQUIRED") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_configure(config) -> None:
    if not config.pluginmanager.has_plugin("gmm-notebook-times"):
        config.pluginmanager.register(NotebookTimes(), "gmm-notebook-times")
