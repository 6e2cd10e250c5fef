"""The built book, opened page by page in headless Chromium.

Every HTML page of ``_build/html`` is served from 127.0.0.1 and opened once; requests to any
other host are blocked and recorded.  For each page the tests check that

* nothing was requested from another host (the site is self-contained: MathJax, fonts, icons
  and scripts are served by the site itself),
* no request failed and the console shows no error,
* every image loaded,
* math is typeset wherever the page has math, with no TeX error and no raw TeX left visible,
* the sidebar lists every page in ``_toc.yml``.

Separately: the built-in search finds a term in a chapter, chapters offer launch and
``.ipynb`` download buttons that point at notebooks, animations step through frames, the
root redirects to the preface, and pages stay a reasonable size.
"""

from __future__ import annotations

import json
import re

import pytest

from booksite import SITE, bullet, expect, find_animations, is_notebook, site_pages, step_animation, toc_files

PAGES = site_pages() or ["(book not built)"]
CONTENT_PAGES = [p for p in PAGES if p != "index.html"]  # index.html only redirects
TOC = toc_files()
NOTEBOOK_DOCS = [doc for doc in TOC if is_notebook(doc)]
ANIMATED_PAGES = [
    p for p in CONTENT_PAGES if (SITE / p).is_file() and 'class="animation"' in (SITE / p).read_text("utf8")
]
MAX_PAGE_MB = 10




def strip_url(url: str) -> str:
    return url.split("#")[0].split("?")[0]


# ----------------------------------------------------------------------------- every page

@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_no_request_to_another_host(site, page_report, path):
    report = page_report(path)
    expect(not report.third_party, (
        f"{path} tried to load {len(report.third_party)} resource(s) from other hosts "
        f"(blocked; the site must serve everything itself):\n{bullet(report.third_party)}"
    ))


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_no_failed_requests(site, page_report, path):
    report = page_report(path)
    expect(not report.failed_requests, (
        f"{path}: {len(report.failed_requests)} request(s) to the site failed:\n"
        f"{bullet(report.failed_requests)}"
    ))


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_no_console_errors(site, page_report, path):
    report = page_report(path)
    expect(not report.console_errors, (
        f"{path}: the browser console shows {len(report.console_errors)} error(s):\n"
        f"{bullet(report.console_errors)}"
    ))


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_every_image_loads(site, page_report, path):
    report = page_report(path)
    expect(not report.broken_images, (
        f"{path}: {len(report.broken_images)} image(s) did not load (naturalWidth 0):\n"
        f"{bullet(report.broken_images)}"
    ))


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_math_is_typeset(site, page_report, path):
    report = page_report(path)
    problems = []
    if report.math_elements and not report.mathjax_loaded:
        problems.append(
            f"the page has {report.math_elements} math element(s) but MathJax did not load "
            "(it is served from _static/mathjax; see tools/fetch_mathjax.py and mathjax_path in _config.yml)"
        )
    if report.untypeset_math:
        problems.append(f"{len(report.untypeset_math)} math element(s) not typeset:\n{bullet(report.untypeset_math, 5)}")
    if report.math_errors:
        problems.append(f"MathJax reported TeX errors:\n{bullet(report.math_errors, 5)}")
    if report.raw_tex:
        problems.append(f"raw TeX is visible in the text:\n{bullet(report.raw_tex, 5)}")
    expect(not problems, f"{path}: " + "\n".join(problems))


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_sidebar_lists_every_page_of_the_toc(site, page_report, base_url, path):
    report = page_report(path)
    listed = {strip_url(link) for link in report.sidebar_links}
    missing = [doc for doc in TOC if f"{base_url}{doc}.html" not in listed]
    expect(not missing, (
        f"{path}: the sidebar does not link to these pages of _toc.yml:\n{bullet(missing)}\n"
        f"it links to:\n{bullet(sorted(listed), 30)}"
    ))


def test_pages_stay_small(site):
    sizes = {p: (site / p).stat().st_size / 2**20 for p in CONTENT_PAGES}
    big = [f"{p}: {mb:.1f} MB" for p, mb in sizes.items() if mb > MAX_PAGE_MB]
    expect(not big, (
        f"pages over {MAX_PAGE_MB} MB (animations embed every frame: use fewer frames or a lower dpi):\n"
        f"{bullet(big)}"
    ))


# ----------------------------------------------------------------------------- the book as a whole

def test_every_toc_page_was_built(site):
    missing = [doc for doc in TOC if not (site / f"{doc}.html").is_file()]
    expect(not missing, f"pages listed in _toc.yml but not in the built site:\n{bullet(missing)}")


def test_root_redirects_to_the_preface(site, page, base_url):
    page.goto(base_url + "index.html")
    page.wait_for_url(f"**/{TOC[0]}.html", timeout=15_000)
    assert page.url.startswith(f"{base_url}{TOC[0]}.html")


def test_search_finds_responsibilities_in_a_chapter(site, page, base_url):
    term = "responsibilities"
    page.goto(f"{base_url}search.html?q={term}")
    try:
        page.wait_for_selector("#search-results ul.search li a", timeout=20_000)
    except Exception:  # playwright's TimeoutError
        text = page.inner_text("#search-results") if page.query_selector("#search-results") else "(no #search-results)"
        pytest.fail(f"search for {term!r} listed no results; the results area says: {text.strip()[:300]!r}")
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.href)")
    chapters = {f"{base_url}{doc}.html" for doc in TOC if re.match(r"book/\d\d_", doc)}
    hits = [h for h in hrefs if strip_url(h) in chapters]
    expect(hits, f"search for {term!r} found no chapter; results:\n{bullet(hrefs)}")
    expect(not page.third_party, f"search requested other hosts:\n{bullet(page.third_party)}")


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_notebook_pages_offer_launch_and_download_buttons(site, page_report, base_url, doc):
    report = page_report(f"{doc}.html")
    notebook = f"{doc}.ipynb"
    binder = [link for link in report.links if "mybinder.org" in link]
    colab = [link for link in report.links if "colab.research.google.com" in link]
    download = f"{base_url}_sources/{notebook}"
    expect(binder and all(link.endswith(f"/{notebook}") for link in binder), (
        f"{doc}: the Binder button should open {notebook} (generated), got {binder}"
    ))
    expect(colab and all(link.endswith(f"/{notebook}") for link in colab), (
        f"{doc}: the Colab button should open {notebook} (generated), got {colab}"
    ))
    expect(download in report.links, f"{doc}: no download link to {download}")
    nb = json.loads((site / "_sources" / notebook).read_text(encoding="utf8"))
    expect(nb["nbformat"] == 4 and nb["cells"], f"{notebook} is not a notebook with cells")
    expect("gmm-book-setup" in nb["cells"][0]["metadata"].get("tags", []), (
        f"{notebook}: the first cell should install gmmlib where it is missing (Colab, Binder)"
    ))


@pytest.mark.parametrize(
    "path", ANIMATED_PAGES or [pytest.param(None, marks=pytest.mark.skip(reason="no page has an animation yet"))]
)
def test_animations_step_through_frames(site, page, base_url, path):
    page.goto(base_url + path)
    animations = find_animations(page)
    expect(animations, f"{path}: the HTML has an animation but none was found in the page")
    for i, animation in enumerate(animations):
        before, after = step_animation(animation)
        expect(after.startswith("data:image/"), f"{path}: animation {i} shows no frame image")
        expect(before != after, f"{path}: animation {i} did not change frame on 'Next frame'")
    expect(not page.third_party, f"{path} requested other hosts:\n{bullet(page.third_party)}")
