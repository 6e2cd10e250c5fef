"""Helpers for testing the built HTML book in a real browser (Playwright + Debian's Chromium).

The site in ``_build/html`` is served from a local HTTP server on 127.0.0.1 (ephemeral port,
in a thread).  Every request to another host is blocked and recorded, so a page that would
load something from a CDN fails the tests even on a machine that is online.

Used by ``tests/book/conftest.py`` and ``tests/book/test_site.py``; the animation helpers
(:func:`find_animations`, :func:`step_animation`) are meant for chapter tests as well.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from local_server import LocalServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
TOC = ROOT / "_toc.yml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Raw TeX that must not be visible once MathJax has typeset a page (code blocks excluded).
RAW_TEX_MARKERS = ["$$", "\\(", "\\)", "\\[", "\\]", "\\begin{", "\\end{"]


# ----------------------------------------------------------------------------- failure messages

def bullet(items, limit=10) -> str:
    shown = "\n".join(f"  - {item}" for item in items[:limit])
    more = f"\n  ... and {len(items) - limit} more" if len(items) > limit else ""
    return shown + more


def expect(condition, message: str) -> None:
    """Fail with just ``message`` (no assertion introspection: the message says it all)."""
    if not condition:
        import pytest

        pytest.fail(message, pytrace=False)


# ----------------------------------------------------------------------------- the toc

def toc_files(toc_path: Path = TOC) -> list[str]:
    """Every file named in ``_toc.yml`` (root first), without suffix: ``book/01_mixture_models``."""
    if not toc_path.is_file():
        return []
    toc = yaml.safe_load(toc_path.read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [f.removesuffix(".md").removesuffix(".ipynb") for f in files]


def is_notebook(docname: str) -> bool:
    """A MyST notebook has a ``kernelspec`` in its front matter."""
    path = ROOT / f"{docname}.md"
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf8")
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1]
    return "kernelspec" in (yaml.safe_load(front) or {})


def site_pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root."""
    if not site.is_dir():
        return []
    skip = ("_static/", "_sources/", "_images/")
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).as_posix().startswith(skip)
    )


# ----------------------------------------------------------------------------- server

# Files the test server serves besides the site, at these URL paths (never part of the site):
# axe-core, vendored by ``make axe`` (tools/fetch_axe.py) and injected by the accessibility tests.
AXE_SCRIPT = ROOT / "_build" / "test-vendor" / "axe-core" / "axe.min.js"
AXE_URL_PATH = "__tests__/axe.min.js"
TEST_FILES = {"/" + AXE_URL_PATH: AXE_SCRIPT}


def SiteServer(root: Path) -> LocalServer:
    """The site on 127.0.0.1, with the test-only files of ``TEST_FILES`` (axe-core) beside it."""
    return LocalServer(root, extra_files=TEST_FILES)


# ----------------------------------------------------------------------------- visiting a page

@dataclass
class PageReport:
    """What happened while a page loaded, and what it shows once it has settled."""

    path: str
    url: str = ""
    final_url: str = ""
    console_errors: list[str] = field(default_factory=list)
    third_party: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    math_elements: int = 0
    mathjax_loaded: bool = False
    untypeset_math: list[str] = field(default_factory=list)
    math_errors: list[str] = field(default_factory=list)
    raw_tex: list[str] = field(default_factory=list)
    sidebar_links: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    animations: int = 0


def block_other_hosts(context, base_url: str, record: list[str]) -> None:
    """Abort (and record) every request that does not go to the local server."""
    origin = urlsplit(base_url).netloc

    def handle(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == origin:
            route.continue_()
        else:
            record.append(url)
            route.abort()

    context.route("**/*", handle)


_SETTLE_JS = """
async () => {
  // Let lazily loaded images start, then wait for every image to finish (or fail).
  window.scrollTo(0, document.body.scrollHeight);
  window.scrollTo(0, 0);
  const images = Array.from(document.images);
  await Promise.race([
    Promise.all(images.map(img => img.complete ? null :
      new Promise(resolve => { img.addEventListener('load', resolve); img.addEventListener('error', resolve); }))),
    new Promise(resolve => setTimeout(resolve, 10000)),
  ]);
  // Wait for MathJax to finish typesetting, if the page loads it.
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    await Promise.race([window.MathJax.startup.promise, new Promise(r => setTimeout(r, 15000))]);
  }
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  return true;
}
"""

_INSPECT_JS = """
(markers) => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const brokenImages = Array.from(document.images)
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.currentSrc || img.src || img.outerHTML.slice(0, 120));
  const mathEls = Array.from(document.querySelectorAll('.math'));
  const untypeset = mathEls.filter(el => !el.querySelector('mjx-container'))
    .map(el => el.textContent.trim().slice(0, 80));
  const mathErrors = Array.from(document.querySelectorAll('mjx-merror'))
    .map(el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 120));
  // Visible text of the article, without code, scripts and typeset math.
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight, .MathJax_Preview')
    .forEach(el => el.remove());
  const text = clone.textContent;
  const rawTex = [];
  for (const m of markers) {
    const i = text.indexOf(m);
    if (i >= 0) rawTex.push(`${m} in "...${text.slice(Math.max(0, i - 40), i + 40).replace(/\\s+/g, ' ')}..."`);
  }
  const cmd = text.match(/\\\\(mathbf|boldsymbol|mathcal|frac|sum|prod|log|exp|mid|top|left|right|pi|mu|Sigma|theta)\\b/);
  if (cmd) rawTex.push(`TeX command ${cmd[0]} in "...${text.slice(Math.max(0, cmd.index - 40), cmd.index + 40).replace(/\\s+/g, ' ')}..."`);
  const sidebar = document.querySelector('.bd-sidebar-primary, .bd-sidebar, nav.bd-links');
  const sidebarLinks = sidebar ? Array.from(sidebar.querySelectorAll('a[href]')).map(a => a.href) : [];
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
  return {
    brokenImages, mathElements: mathEls.length, mathjaxLoaded: !!(window.MathJax && window.MathJax.startup),
    untypeset, mathErrors, rawTex, sidebarLinks, links,
    animations: document.querySelectorAll('.animation').length,
  };
}
"""


def visit(browser, base_url: str, path: str) -> PageReport:
    """Open ``path`` of the site in a fresh browser context and report what happened."""
    report = PageReport(path=path, url=base_url + path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    block_other_hosts(context, base_url, report.third_party)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and report.console_errors.append(
        f"console.error: {msg.text} (at {msg.location.get('url', '?')})"))
    page.on("pageerror", lambda exc: report.console_errors.append(f"uncaught exception: {exc}"))
    page.on("requestfailed", lambda req: req.url not in report.third_party and report.failed_requests.append(
        f"{req.url}: {req.failure}"))
    page.on("response", lambda resp: resp.status >= 400 and not resp.url.endswith("/favicon.ico")
            and report.failed_requests.append(f"{resp.url}: HTTP {resp.status}"))
    try:
        page.goto(report.url, wait_until="load", timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=30_000)
        page.evaluate(_SETTLE_JS)
        info = page.evaluate(_INSPECT_JS, RAW_TEX_MARKERS)
        report.final_url = page.url
        report.broken_images = info["brokenImages"]
        report.math_elements = info["mathElements"]
        report.mathjax_loaded = info["mathjaxLoaded"]
        report.untypeset_math = info["untypeset"]
        report.math_errors = info["mathErrors"]
        report.raw_tex = info["rawTex"]
        report.sidebar_links = info["sidebarLinks"]
        report.links = info["links"]
        report.animations = info["animations"]
    finally:
        context.close()
    return report


@contextmanager
def open_page(browser, base_url: str, path: str, mode: str = "light"):
    """Open ``path`` in a fresh context in the theme's ``mode`` ("light" or "dark"); yield the page
    once images, MathJax and fonts have settled.  ``page.third_party`` lists blocked requests.

    pydata-sphinx-theme takes the colour mode from ``localStorage`` ("mode", "theme"), as it
    does for a reader who chose it with the theme switcher.
    """
    if mode not in ("light", "dark"):
        raise ValueError(f"mode must be 'light' or 'dark', got {mode!r}")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    block_other_hosts(context, base_url, blocked)
    context.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    try:
        page = context.new_page()
        page.third_party = blocked
        page.goto(base_url + path, wait_until="load", timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=30_000)
        page.evaluate(_SETTLE_JS)
        yield page
    finally:
        context.close()


# ----------------------------------------------------------------------------- animations

def find_animations(page) -> list:
    """The matplotlib ``to_jshtml()`` animations on an open page, as element handles.

    Each is the ``div.animation`` that holds the frame ``<img>``, the slider and the buttons.
    """
    return page.query_selector_all("div.animation")


def step_animation(animation) -> tuple[str, str]:
    """Press an animation's "Next frame" button; return the frame image ``src`` before and after."""
    img = animation.query_selector("img")
    before = img.get_attribute("src") or ""
    animation.query_selector('button[title="Next frame"]').click()
    after = img.evaluate("el => el.getAttribute('src') || ''")
    return before, after
