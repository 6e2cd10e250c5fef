"""``make lab`` in a real browser: MyST renders, the explorer's slider redraws, a save changes nothing.

This is the reader's path through the repository: ``make lab`` (JupyterLab with jupytext and
jupyterlab-myst, from this checkout's environment), a chapter opened as a notebook, Run All,
the EM explorer's iteration slider moved from the keyboard, and the notebook saved.  It runs
on a scratch copy of ``book/`` (``LAB_ROOT``), so a failure never leaves the checkout dirty,
and compares the saved file with the source.  Requests to other hosts are blocked.

One chapter only (chapter 4, the first with an explorer), to hold the time down.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "book"))
from booksite import CHROMIUM, block_other_hosts  # noqa: E402

CHAPTER = "book/04_em_algorithm.md"
REQUIRED = os.environ.get("BOOK_TESTS_REQUIRED") == "1"
RUN_ALL_TIMEOUT_MS = 240_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``make lab`` serving a scratch copy of the chapters; yields (base URL, token, root)."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not found: install Debian's chromium (`make browser` does it)"
        pytest.fail(message) if REQUIRED else pytest.skip(message)
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "book", root / "book")
    port, token = _free_port(), secrets.token_hex(16)
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} "
            "--ServerApp.port_retries=0 --LabApp.news_url=None")
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ROOT={root}", f"LAB_ARGS={args}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base_url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield base_url, token, root
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def notebook_page(lab, browser):
    base_url, token, root = lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    block_other_hosts(context, base_url, blocked)
    page = context.new_page()
    page.goto(f"{base_url}/lab/tree/{CHAPTER}?token={token}")
    page.locator(".jp-Notebook .jp-MarkdownCell .myst").first.wait_for(timeout=120_000)
    _wait_for_idle_kernel(page, timeout_ms=120_000)
    yield page, blocked, root
    context.close()


def _wait_for_idle_kernel(page, timeout_ms: int) -> None:
    page.wait_for_function(
        """() => {
            const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
            return status && status.getAttribute('data-status') === 'idle';
        }""",
        timeout=timeout_ms,
    )


def _run_command(page, label: str) -> None:
    """Run a JupyterLab command from its menu (``Run`` > ``Run All Cells``)."""
    menu, item = label.split(" > ")
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def test_myst_renders_in_markdown_cells(notebook_page):
    page, _, _ = notebook_page
    first = page.locator(".jp-MarkdownCell .myst").filter(has_text="Learning goals").first
    first.wait_for(timeout=60_000)
    text = first.inner_text()
    # jupyterlab-myst renders the admonition, the {ref} roles (as links) and the math.
    assert first.locator(".myst-admonition").count() == 1, "the learning goals are not an admonition"
    assert first.locator(".katex").count() >= 1, "the math is not typeset"
    for raw in ("{admonition}", "```", "{ref}", "(ch-em-algorithm)=", "$r_{nk}$"):
        assert raw not in text, f"{raw!r} shows raw in the first Markdown cell:\n{text[:600]}"


def test_run_all_then_the_explorer_slider_redraws_and_a_save_changes_nothing(notebook_page):
    page, blocked, root = notebook_page
    _run_command(page, "Run > Run All Cells")
    slider = page.locator(".jp-OutputArea .widget-slider .noUi-handle, "
                          ".jp-OutputArea .widget-slider input[type=range]").first
    try:
        slider.wait_for(state="attached", timeout=RUN_ALL_TIMEOUT_MS)
    except Exception:
        page.screenshot(path=str(root / "run-all-timeout.png"))
        raise AssertionError(f"no explorer after Run All; screenshot: {root / 'run-all-timeout.png'}")
    _wait_for_idle_kernel(page, timeout_ms=RUN_ALL_TIMEOUT_MS)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [e.inner_text() for e in errors.all() if "Traceback" in e.inner_text()]
    assert not tracebacks, tracebacks[0][:2000]

    slider.scroll_into_view_if_needed()
    explorer = slider.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')]").first
    before = explorer.screenshot()
    # Under load a key press can land before the handle has focus: focus and press again every
    # 10 s (each press moves the slider one more iteration) until the picture changes.
    deadline, next_press = time.monotonic() + 60, 0.0
    while explorer.screenshot() == before:
        assert time.monotonic() < deadline, "the explorer's picture did not change after moving its slider"
        if time.monotonic() >= next_press:
            slider.focus()
            page.keyboard.press("ArrowRight")
            next_press = time.monotonic() + 10
        time.sleep(0.3)

    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.jp-mod-current.jp-mod-dirty')", timeout=30_000)
    time.sleep(1.0)
    saved = (root / CHAPTER).read_text()
    assert saved == (ROOT / CHAPTER).read_text(), (
        "saving the chapter from JupyterLab rewrote it; run `python tools/lab_roundtrip.py --write`")
    assert not blocked, f"JupyterLab tried to reach other hosts: {blocked[:5]}"
