"""Print the book to one PDF with Chromium: ``make pdf`` runs this after the single-page build.

``jupyter-book build . --builder singlehtml`` writes the whole book as one HTML page
(``_build/singlehtml/book/00_preface.html``, the root document), with the executed outputs of the same cache as ``make book``,
the same per-chapter numbers and the same MathJax.  This script opens that page in Debian's
Chromium (through Playwright), served from 127.0.0.1 with every other host blocked, and

1. fails on anything a reader would see broken: a console error, a failed or outside request, an
   image that did not load, a MathJax error;
2. adds the print styles of ``tools/pdf_print.css`` and the front matter: a title page, a table
   of contents (parts, chapters and their numbered sections) and a page for each part;
3. prints once, reads from that PDF the page on which each table-of-contents target landed
   (Chromium writes every link target as a named destination), writes those page numbers into
   the table of contents and prints again.  The numbers sit in a fixed-width box, so the second
   print has the same pages as the first; the script checks that it does.

The PDF has bookmarks (the outline) from the headings, page numbers in the footer and working
internal links: the table of contents and every cross-reference ({eq}, {numref}, citations).

Usage: ``python tools/print_pdf.py [SINGLEHTML_DIR] [OUTPUT_PDF]``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_server import LocalServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SINGLEHTML = ROOT / "_build" / "singlehtml"
OUTPUT = ROOT / "_build" / "pdf" / "gmm-em-book.pdf"
PRINT_PAGE = "_print.html"
PRINT_CSS = Path(__file__).resolve().parent / "pdf_print.css"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

FOOTER = (
    '<div style="width:100%; font-size:8pt; color:#555; text-align:center; '
    'font-family: sans-serif;"><span class="pageNumber"></span></div>'
)
PDF_OPTIONS = dict(
    prefer_css_page_size=True,  # A4 and the margins come from @page in pdf_print.css
    print_background=True,
    display_header_footer=True,
    header_template="<span></span>",
    footer_template=FOOTER,
    outline=True,  # bookmarks from the headings
    tagged=True,  # a structure tree, for screen readers and text reflow
)


# ----------------------------------------------------------------------------- the book's outline

def book_outline(root: Path = ROOT) -> dict:
    """Title, author and parts of the book from ``_config.yml`` and ``_toc.yml``.

    Returns ``{"title", "author", "copyright", "root", "parts": [{"caption", "numbered",
    "docnames"}]}`` with docnames such as ``book/04_em_algorithm``.
    """
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf8"))
    parts = []
    for part in toc.get("parts", []):
        docnames = [entry["file"].removesuffix(".md") for entry in part.get("chapters", [])]
        parts.append(
            {"caption": part["caption"], "numbered": bool(part.get("numbered")), "docnames": docnames}
        )
    return {
        "title": config["title"],
        "author": config.get("author", ""),
        "copyright": str(config.get("copyright", "")),
        "root": toc["root"].removesuffix(".md"),
        "parts": parts,
    }


# ----------------------------------------------------------------------------- serving the build

# ----------------------------------------------------------------------------- in the page

# Wait until every image has loaded (or failed), MathJax has typeset and the fonts are ready.
SETTLE_JS = """
async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(resolve => {
    img.addEventListener('load', resolve); img.addEventListener('error', resolve); })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  return true;
}
"""

# What a reader of the PDF would see broken.
INSPECT_JS = """
() => ({
  brokenImages: Array.from(document.images).filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.currentSrc || img.src),
  untypesetMath: Array.from(document.querySelectorAll('.math'))
    .filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.trim().slice(0, 80)),
  mathErrors: Array.from(document.querySelectorAll('mjx-merror'))
    .map(el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 120)),
})
"""

# Title page, table of contents and part pages, built from the headings of the page itself so
# that titles and numbers are the ones Sphinx gave them.  Every table-of-contents entry links to
# an id made here ("gmm-toc-N"), unique in the page (section ids such as "summary" repeat in a
# single-page build).  Returns the list of those ids, in order.
FRONT_MATTER_JS = """
(book) => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const el = (tag, cls, text) => { const e = document.createElement(tag);
    if (cls) e.className = cls; if (text) e.textContent = text; return e; };
  const docStart = (docname) => document.getElementById('document-' + docname);
  const headingText = (h) => { const c = h.cloneNode(true);
    c.querySelectorAll('.headerlink').forEach(x => x.remove()); return c.textContent.trim(); };
  const tocIds = [];
  const entry = (cls, title, target) => {
    const id = 'gmm-toc-' + tocIds.length;
    target.id = target.id || id;
    tocIds.push(target.id);
    const li = el('li', cls);
    const a = el('a'); a.href = '#' + target.id;
    a.append(el('span', 'gmm-toc-title', title), el('span', 'gmm-toc-leader'),
             el('span', 'gmm-toc-page', ''));
    a.querySelector('.gmm-toc-page').dataset.target = target.id;
    li.append(a);
    return li;
  };
  // The document's first section: its first heading is the chapter title.
  const chapterSection = (docname) => {
    if (docname === book.root) return article.querySelector('section');
    let node = docStart(docname);
    while (node && !(node.tagName === 'SECTION')) node = node.nextElementSibling;
    return node;
  };
  const chapterEntries = (docname, withSections) => {
    const items = [];
    const section = chapterSection(docname);
    if (!section) throw new Error('no section for ' + docname + ' in the single-page build');
    // The single-page build demotes the headings of included documents (chapter title h2).
    const title = section.querySelector(':scope > h1, :scope > h2');
    items.push(entry('gmm-toc-chapter', headingText(title), title));
    title.classList.add('gmm-chapter-title');
    if (withSections) {
      section.querySelectorAll(':scope > section > h2, :scope > section > h3').forEach(h =>
        items.push(entry('gmm-toc-section', headingText(h), h)));
    }
    return items;
  };

  // every document starts a page
  article.querySelectorAll('span[id^="document-"]').forEach(s => {
    const section = chapterSection(s.id.slice('document-'.length));
    if (section) section.classList.add('gmm-document-start');
  });

  const title = el('section', 'gmm-title-page');
  title.append(el('h1', null, book.title), el('p', 'gmm-author', book.author));
  for (const line of book.titleLines) title.append(el('p', null, line));

  const contents = el('nav', 'gmm-contents');
  contents.setAttribute('aria-label', 'Contents');
  contents.append(el('h1', null, 'Contents'));
  const list = el('ol');
  list.append(...chapterEntries(book.root, false));
  for (const part of book.parts) {
    const partPage = el('section', 'gmm-part-page');
    const partHeading = el('h1', null, part.caption);
    partPage.append(partHeading);
    const first = chapterSection(part.docnames[0]);
    first.parentNode.insertBefore(partPage, docStart(part.docnames[0]) || first);
    first.classList.remove('gmm-document-start');  // the part page already broke the page
    list.append(entry('gmm-toc-part', part.caption, partHeading));
    for (const docname of part.docnames) list.append(...chapterEntries(docname, part.numbered));
  }
  contents.append(list);
  const rootSection = chapterSection(book.root);
  rootSection.classList.remove('gmm-document-start');
  article.prepend(title, contents);
  return tocIds;
}
"""

SET_PAGE_NUMBERS_JS = """
(pages) => {
  document.querySelectorAll('.gmm-contents .gmm-toc-page').forEach(span => {
    span.textContent = String(pages[span.dataset.target]);
  });
}
"""

# Display equations wider than the text are scaled down to fit (MathJax 3 cannot break lines).
FIT_EQUATIONS_JS = """
() => {
  let scaled = 0;
  document.querySelectorAll('mjx-container[display="true"]').forEach(m => {
    const available = m.parentElement.clientWidth;
    const needed = m.firstElementChild ? m.firstElementChild.scrollWidth : m.scrollWidth;
    if (available > 0 && needed > available) {
      m.style.fontSize = (100 * available / needed).toFixed(1) + '%';
      scaled += 1;
    }
  });
  return scaled;
}
"""


# ----------------------------------------------------------------------------- printing

def block_other_hosts(page, base_url: str, record: list[str]) -> None:
    """Abort (and record) every request that does not go to the local server."""
    origin = urlsplit(base_url).netloc

    def handle(route):
        parts = urlsplit(route.request.url)
        if parts.netloc == origin and parts.path == "/searchindex.js":
            route.fulfill(body="", content_type="text/javascript")  # a single page has no search
        elif parts.scheme in ("data", "blob", "about") or parts.netloc == origin:
            route.continue_()
        else:
            record.append(route.request.url)
            route.abort()

    page.route("**/*", handle)


def destination_pages(pdf_bytes: bytes, ids: list[str]) -> dict[str, int]:
    """The page number (1-based) of each named destination ``ids`` in a PDF Chromium printed."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    destinations = reader.named_destinations
    missing = [i for i in ids if f"/{i}" not in destinations and i not in destinations]
    if missing:
        raise RuntimeError(f"the printed PDF has no link target for {missing[:5]} (of {len(missing)})")
    pages = {}
    for target in ids:
        destination = destinations.get(f"/{target}", destinations.get(target))
        pages[target] = reader.get_destination_page_number(destination) + 1
    return pages


def page_count(pdf_bytes: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf_bytes)).pages)


def print_book(singlehtml: Path, output: Path) -> list[str]:
    """Print the single-page build in ``singlehtml`` to ``output``; return the problems found (empty: success)."""
    from playwright.sync_api import sync_playwright

    book = book_outline()
    single_page = singlehtml / f"{book['root']}.html"
    if not single_page.is_file():
        return [f"no single-page build at {single_page}: run `make pdf`, which builds it first"]
    # Sphinx writes the page as <root docname>.html (book/00_preface.html) but with links relative
    # to the site's root (_static/..., _images/...): serve a copy from the root.
    (singlehtml / PRINT_PAGE).write_bytes(single_page.read_bytes())
    if not Path(CHROMIUM).exists():
        return [f"{CHROMIUM} not found: install Debian's chromium (`make browser` does it)"]
    book["titleLines"] = [
        f"© {book['copyright']} {book['author']}. Code: MIT licence. Text and figures: CC BY 4.0.",
        "The online edition has the animations and interactive explorers that this edition "
        "shows as still frames.",
    ]
    problems: list[str] = []
    outside: list[str] = []
    with LocalServer(singlehtml) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        block_other_hosts(page, server.base_url, outside)
        page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
        page.goto(server.base_url + PRINT_PAGE, wait_until="load", timeout=300_000)
        page.evaluate(SETTLE_JS)
        report = page.evaluate(INSPECT_JS)
        problems += [f"image did not load: {src}" for src in report["brokenImages"]]
        problems += [f"math not typeset: {tex}" for tex in report["untypesetMath"]]
        problems += [f"MathJax error: {error}" for error in report["mathErrors"]]
        problems += [f"request to another host (blocked): {url}" for url in outside]

        page.emulate_media(media="print")
        page.add_style_tag(path=str(PRINT_CSS))
        toc_ids = page.evaluate(FRONT_MATTER_JS, book)
        scaled = page.evaluate(FIT_EQUATIONS_JS)
        print(f"print_pdf: {len(toc_ids)} table-of-contents entries; {scaled} wide equation(s) scaled to fit")

        first = page.pdf(**PDF_OPTIONS)
        page.evaluate(SET_PAGE_NUMBERS_JS, destination_pages(first, toc_ids))
        final = page.pdf(**PDF_OPTIONS)
        browser.close()
    if page_count(final) != page_count(first):
        problems.append(
            f"the table of contents' page numbers changed the page count "
            f"({page_count(first)} -> {page_count(final)}): its numbers may be off"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(final)
    print(f"print_pdf: wrote {output} ({page_count(final)} pages, {len(final) / 1e6:.1f} MB)")
    return problems


def main(argv: list[str]) -> int:
    singlehtml = Path(argv[1]) if len(argv) > 1 else SINGLEHTML
    output = Path(argv[2]) if len(argv) > 2 else OUTPUT
    problems = print_book(singlehtml, output)
    if problems:
        print(f"print_pdf: {len(problems)} problem(s); the PDF is not fit to publish:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
