"""The PDF edition (``make pdf``), read the way a reader's PDF viewer reads it: poppler's tools.

What is expected comes from the sources (``_toc.yml``, the chapters' titles, labelled
equations, named figures and cross-references), not from the PDF pipeline.
"""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))

# A4 at 10 pt holds well under 5000 characters of running text; every page of the book, part
# and title pages included, holds at least a heading or a figure.
MAX_CHARACTERS_PER_PAGE = 5000


def normalise(text: str) -> str:
    return " ".join(text.split())


def source(docname: str) -> str:
    return (ROOT / f"{docname}.md").read_text(encoding="utf8")


def title_of(docname: str) -> str:
    """The H1 of a MyST source: the first '# ' line outside the front matter and code."""
    in_code = False
    body = source(docname).split("---", 2)[2] if source(docname).startswith("---") else source(docname)
    for line in body.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"{docname} has no H1 title")


def documents() -> list[tuple[str | None, str]]:
    """``(chapter number or None, docname)`` for every page of the book in toc order."""
    docs: list[tuple[str | None, str]] = [(None, TOC["root"].removesuffix(".md"))]
    number = 0
    for part in TOC["parts"]:
        for entry in part["chapters"]:
            docname = entry["file"].removesuffix(".md")
            if part.get("numbered"):
                number += 1
                docs.append((str(number), docname))
            else:
                docs.append((None, docname))
    return docs


DOCUMENTS = documents()
CHAPTERS = [(n, d) for n, d in DOCUMENTS if n is not None]
LABELLED_EQUATION = re.compile(r"^\s*\$\$\s*\((eq-[\w-]+)\)\s*$", re.MULTILINE)
NAMED_FIGURE = re.compile(r"^\s*:?name: (fig-[\w-]+)\s*$", re.MULTILINE)


def without_solutions(docname: str) -> str:
    """A chapter's source without its solution blocks ({solution} or {solution-start}...{solution-end})."""
    kept, closing = [], None
    for line in source(docname).splitlines():
        fence = re.match(r"^(`{3,})\{solution(-start)?\}", line)
        if closing is None and fence:
            closing = "{solution-end}" if fence.group(2) else fence.group(1)
        elif closing is not None and (line.strip() == closing or closing in line and "solution-end" in line):
            closing = None
        elif closing is None:
            kept.append(line)
    return "\n".join(kept)


def heading_text(number: str | None, docname: str) -> str:
    return f"{number}. {title_of(docname)}" if number else title_of(docname)


def test_title_page_names_the_book(pages_text, pdf_info):
    assert normalise(CONFIG["title"]) in normalise(pages_text[0])
    assert pdf_info.get("Page size", "").endswith("(A4)"), f"not A4: {pdf_info.get('Page size')}"


@pytest.mark.parametrize("number, docname", DOCUMENTS, ids=[d for _, d in DOCUMENTS])
def test_every_chapter_title_is_printed_with_its_number(pages_text, number, docname):
    text = normalise(" ".join(pages_text))
    heading = heading_text(number, docname)
    # twice: in the table of contents and as the chapter's own heading
    assert text.count(heading) >= 2, f"'{heading}' appears {text.count(heading)} time(s) in the PDF"


def test_part_titles_are_printed(pages_text):
    text = normalise(" ".join(pages_text))
    missing = [part["caption"] for part in TOC["parts"] if text.count(part["caption"]) < 2]
    assert not missing, f"part titles missing from the contents or their part page: {missing}"


def entries_on(page: str) -> dict[str, int]:
    """``{entry title: page number}`` for the lines "title ... number" of a contents page."""
    entries = {}
    for line in page.splitlines():
        match = re.fullmatch(r"\s*(\S.*?)\s+(\d+)\s*", line)
        if match:
            entries[normalise(match.group(1))] = int(match.group(2))
    return entries


@functools.lru_cache
def layout_text(pdf: Path, page: int) -> str:
    """One page's text with its layout kept (a contents line stays one line)."""
    return run("pdftotext", "-layout", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-")


def contents_pages(pdf: Path) -> range:
    """The table of contents: from page 2 to the page before the first entry (the preface)."""
    first_entry = min(entries_on(layout_text(pdf, 2)).values(), default=3)
    return range(2, first_entry)


def contents_page_numbers(pdf: Path) -> dict[str, int]:
    entries = {}
    for number in contents_pages(pdf):
        entries.update(entries_on(layout_text(pdf, number)))
    return entries


def test_contents_page_numbers_point_at_the_chapters(pdf, pages_text):
    entries = contents_page_numbers(pdf)
    for number, docname in DOCUMENTS:
        heading = heading_text(number, docname)
        assert heading in entries, f"'{heading}' not in the table of contents: {sorted(entries)[:8]} ..."
        page = pages_text[entries[heading] - 1]
        assert normalise(page).startswith(heading) or heading in normalise(page)[:200], (
            f"the contents say '{heading}' starts on page {entries[heading]}, whose text begins "
            f"'{normalise(page)[:120]}'"
        )


@pytest.mark.parametrize("number, docname", CHAPTERS, ids=[d for _, d in CHAPTERS])
def test_equations_carry_per_chapter_numbers(pages_text, number, docname):
    labelled = len(LABELLED_EQUATION.findall(source(docname)))
    if labelled == 0:
        pytest.skip(f"{docname} has no labelled equation")  # none in the book today
    text = normalise(" ".join(pages_text))
    expected = [f"({number}.{i})" for i in range(1, labelled + 1)]
    missing = [e for e in expected if e not in text]
    assert not missing, f"{docname}: equation numbers {missing} not found in the PDF's text"


def test_every_named_figure_is_printed_with_its_caption_number(pages_text):
    text = normalise(" ".join(pages_text))
    missing = []
    for number, docname in CHAPTERS:
        for i in range(1, len(NAMED_FIGURE.findall(source(docname))) + 1):
            if f"Fig. {number}.{i}" not in text:
                missing.append(f"Fig. {number}.{i}")
    assert not missing, f"figure captions missing from the PDF: {missing}"


def test_page_count_is_plausible(pages_text, pdf_info):
    pages = int(pdf_info["Pages"])
    assert pages == len(pages_text)
    characters = sum(len(normalise(p)) for p in pages_text)
    # every document starts a page, and so do the title page, the contents and each part
    at_least = max(len(DOCUMENTS) + len(TOC["parts"]) + 2, characters // MAX_CHARACTERS_PER_PAGE)
    assert pages >= at_least, f"{pages} pages for {characters} characters of text"
    empty = [i + 1 for i, page in enumerate(pages_text) if not page.strip()]
    assert len(empty) <= pages // 20, f"pages without any text: {empty}"


def test_at_least_one_image_per_figure(pdf):
    rows = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    images = [row for row in rows if row.split()[2] == "image"]
    figures = sum(len(NAMED_FIGURE.findall(source(d))) for _, d in CHAPTERS)
    assert len(images) >= figures, f"{len(images)} images in the PDF, but the chapters name {figures} figures"


def test_every_font_is_embedded(pdf):
    lines = run("pdffonts", str(pdf)).splitlines()
    dashes = lines[1]
    columns = [m.span() for m in re.finditer(r"-+", dashes)]
    header = [lines[0][a:b].strip() if b <= len(lines[0]) else lines[0][a:].strip() for a, b in columns]
    emb = header.index("emb")
    fonts = [(line[: columns[0][1]].strip(), line[columns[emb][0]: columns[emb][1]].strip()) for line in lines[2:]]
    assert fonts, "pdffonts lists no font"
    not_embedded = [name for name, embedded in fonts if embedded != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"


def test_a_figure_page_renders_with_content(pdf, pages_text, tmp_path: Path):
    from PIL import Image

    page = next(i + 1 for i, text in enumerate(pages_text) if "Fig. 4.1" in normalise(text))
    run("pdftoppm", "-f", str(page), "-l", str(page), "-r", "50", "-png", str(pdf), str(tmp_path / "page"))
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("RGB")
    pixels = list(image.get_flattened_data())
    inked = sum(1 for r, g, b in pixels if min(r, g, b) < 200) / len(pixels)
    colours = len(set(pixels))
    assert inked > 0.03, f"page {page} (Fig. 4.1) is almost blank: {inked:.1%} of pixels inked"
    assert colours > 50, f"page {page} (Fig. 4.1) has only {colours} colours: no plot on it?"


def internal_links(pdf: Path) -> list[tuple[int, int]]:
    """``(page, target page)`` of every link annotation inside the document (1-based)."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    destinations = reader.named_destinations
    links = []
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            target = annotation.get("/Dest")
            action = annotation.get("/A")
            if target is None and action is not None and action.get("/S") == "/GoTo":
                target = action.get("/D")
            if target is None:
                continue  # an external link
            if isinstance(target, str):
                assert target in destinations, f"page {number}: link to an unknown destination {target}"
                target = destinations[target]
                links.append((number, reader.get_destination_page_number(target) + 1))
            else:
                links.append((number, reader.pages.index(target[0].get_object()) + 1))
    return links


def test_contents_and_cross_references_are_working_links(pdf, pages_text):
    links = internal_links(pdf)
    toc_pages = set(contents_pages(pdf))
    from_contents = [link for link in links if link[0] in toc_pages]
    entries = contents_page_numbers(pdf)
    assert len(from_contents) >= len(entries) >= len(DOCUMENTS), (
        f"{len(from_contents)} links on the contents pages for {len(entries)} entries"
    )
    # solutions are folded on the site and left out of the PDF, and their references with them
    references = sum(len(re.findall(r"\{(eq|numref)\}`", without_solutions(d))) for _, d in CHAPTERS)
    from_text = [link for link in links if link[0] not in toc_pages]
    assert len(from_text) >= references, (
        f"{len(from_text)} internal links in the text, but the chapters make {references} "
        "{eq}/{numref} references"
    )


def test_bookmarks_list_every_chapter(pdf):
    from pypdf import PdfReader

    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield normalise(item.title)

    bookmarks = set(titles(PdfReader(pdf).outline))
    missing = [heading_text(n, d) for n, d in DOCUMENTS if heading_text(n, d) not in bookmarks]
    assert not missing, f"chapters without a bookmark: {missing}"


def test_bibliography_is_printed(pages_text):
    text = normalise(" ".join(pages_text))
    assert "Bishop" in text and "Pattern Recognition and Machine Learning" in text


def test_every_page_of_the_site_links_the_pdf(pdf):
    """The HTML book's PDF button: on every page, to the copy of this PDF at the site's root."""
    site = ROOT / "_build" / "html"
    if not (site / "index.html").is_file():
        pytest.skip("no HTML build in _build/html (`make book`)")
    copy = site / pdf.name
    assert copy.is_file() and copy.read_bytes() == pdf.read_bytes(), (
        f"{copy} is missing or is not the PDF just built: `make pdf` copies it into the site"
    )
    docnames = [d for _, d in DOCUMENTS]
    without = []
    for docname in docnames:
        page = site / f"{docname}.html"
        links = re.findall(r'href="([^"]*gmm-em-book\.pdf)"', page.read_text(encoding="utf8"))
        if not any((page.parent / link).resolve() == copy.resolve() for link in links):
            without.append(docname)
    assert not without, f"pages without a link to {copy.name}: {without}"


def test_every_animation_is_printed_as_a_strip_with_a_caption_saying_where_it_moves(pages_text):
    """Each explorer or animation in the chapters prints as still frames whose caption points to
    the moving version (gmmlib.widgets' print strip, shown by the print CSS)."""
    from gmmlib.widgets.animation import ONLINE_VERSION

    calls = re.compile(r"^\s*(?:explore_em|explore_kmeans_limit|em_animation)\(", re.MULTILINE)
    animations = sum(len(calls.findall(source(f"book/{path.stem}")))
                     for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.md")))
    printed = normalise(" ".join(pages_text)).count(normalise(ONLINE_VERSION)[:60])
    assert animations >= 3, "the chapters should have explorers (chapters 4, 6 and 7)"
    assert printed == animations, f"{animations} animations in the chapters, {printed} captioned strips in the PDF"
