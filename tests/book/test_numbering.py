"""The built HTML numbers like a textbook: per chapter, from the numbered parts of ``_toc.yml``.

Chapter n's page shows its title as "n.", its sections as "n.1", "n.2", ..., its equations as
"(n.1)", its figures as "Fig. n.1", its exercises as "Exercise n.1"; no equation or figure in a
numbered chapter carries a book-global number.  The expected chapter numbers come from the order
of the files in ``_toc.yml``, the expected counts from the chapter sources; only the built HTML
is read (no browser needed).
"""

from __future__ import annotations

import re

import pytest
import yaml
from bs4 import BeautifulSoup

from booksite import ROOT, TOC


def numbered_chapters() -> list[tuple[int, str]]:
    """``(chapter number, docname)`` for every chapter in a ``numbered`` part, in toc order."""
    toc = yaml.safe_load(TOC.read_text(encoding="utf8"))
    docnames = [
        entry["file"].removesuffix(".md")
        for part in toc.get("parts", [])
        if part.get("numbered")
        for entry in part.get("chapters", [])
    ]
    return list(enumerate(docnames, start=1))


def source_count(docname: str, pattern: str) -> int:
    """How many times a labelling pattern occurs in a chapter's MyST source."""
    return len(re.findall(pattern, (ROOT / f"{docname}.md").read_text(encoding="utf8"), re.MULTILINE))


LABELLED_EQUATION = r"^\s*\$\$\s*\((eq-[\w-]+)\)\s*$"
NAMED_FIGURE = r"^\s*name: (fig-[\w-]+)\s*$"
EXERCISE = r"^`{3,}\{exercise\}"
CHAPTERS = numbered_chapters()


def test_the_toc_numbers_ten_chapters():
    assert len(CHAPTERS) == 10, f"expected chapters 1-10 in numbered parts of _toc.yml, got {CHAPTERS}"


@pytest.fixture(scope="module")
def chapter_page(site):
    cache = {}

    def get(docname: str) -> BeautifulSoup:
        if docname not in cache:
            cache[docname] = BeautifulSoup((site / f"{docname}.html").read_text(encoding="utf8"), "html.parser")
        return cache[docname]

    return get


def texts(soup: BeautifulSoup, selector: str) -> list[str]:
    """The visible text of every element matching ``selector``, without the "#" permalinks."""
    found = []
    for element in soup.select(selector):
        words = [
            text
            for text in element.find_all(string=True)
            if not text.find_parent("a", class_="headerlink")
        ]
        found.append(" ".join("".join(words).split()))
    return found


@pytest.mark.parametrize("number, docname", CHAPTERS, ids=[d for _, d in CHAPTERS])
def test_chapter_title_and_sections_are_numbered(chapter_page, number, docname):
    article = chapter_page(docname).select_one("article")
    title_number = texts(article, "h1 .section-number")
    assert title_number == [f"{number}."], f"{docname}: H1 number {title_number}, expected '{number}.'"
    section_numbers = texts(article, "h2 .section-number")
    expected = [f"{number}.{i}." for i in range(1, len(section_numbers) + 1)]
    assert section_numbers and section_numbers == expected, (
        f"{docname}: section numbers {section_numbers}, expected {expected}"
    )


@pytest.mark.parametrize("number, docname", CHAPTERS, ids=[d for _, d in CHAPTERS])
def test_equations_are_numbered_per_chapter(chapter_page, number, docname):
    labelled = source_count(docname, LABELLED_EQUATION)
    shown = texts(chapter_page(docname), "span.eqno")
    expected = [f"({number}.{i})" for i in range(1, labelled + 1)]
    assert shown == expected, f"{docname}: equation numbers {shown}, expected {expected}"


@pytest.mark.parametrize("number, docname", CHAPTERS, ids=[d for _, d in CHAPTERS])
def test_figures_are_numbered_per_chapter(chapter_page, number, docname):
    named = source_count(docname, NAMED_FIGURE)
    shown = [t for t in texts(chapter_page(docname), "figure .caption-number") if t.startswith("Fig.")]
    expected = [f"Fig. {number}.{i}" for i in range(1, named + 1)]
    assert shown == expected, f"{docname}: figure numbers {shown}, expected {expected}"


@pytest.mark.parametrize("number, docname", CHAPTERS, ids=[d for _, d in CHAPTERS])
def test_exercises_are_numbered_per_chapter(chapter_page, number, docname):
    exercises = source_count(docname, EXERCISE)
    titles = texts(chapter_page(docname), "div.exercise p.admonition-title")
    shown = [re.match(r"Exercise \S+", t).group(0) for t in titles if re.match(r"Exercise \S+", t)]
    expected = [f"Exercise {number}.{i}" for i in range(1, exercises + 1)]
    assert exercises > 0 and shown == expected, f"{docname}: exercises {shown}, expected {expected}"


def test_theorems_are_numbered_per_chapter(chapter_page):
    """Chapter 5 states the monotonicity theorem: its theorems read "Theorem 5.1", ..."""
    number, docname = next((n, d) for n, d in CHAPTERS if d.endswith("05_why_em_works"))
    theorems = source_count(docname, r"^`{3,}\{prf:theorem\}")
    titles = texts(chapter_page(docname), "div.proof.theorem p.admonition-title")
    shown = [re.match(r"Theorem \S+", t).group(0) for t in titles]
    assert theorems > 0 and shown == [f"Theorem {number}.{i}" for i in range(1, theorems + 1)], shown


def test_cross_references_show_the_chapter_number(chapter_page):
    """A reference to an equation of chapter 3 from chapter 4 reads "(3.k)", not a global number."""
    soup = chapter_page("book/04_em_algorithm")
    references = texts(soup, "a.reference.internal span.eqno, a.reference.internal")
    eq_refs = [t for t in references if re.fullmatch(r"\(\d+(\.\d+)?\)", t)]
    assert eq_refs, "chapter 4 has no equation reference"
    global_numbers = [t for t in eq_refs if "." not in t]
    assert not global_numbers, f"equation references without a chapter number: {global_numbers}"
    assert "(3.1)" in eq_refs or any(t.startswith("(3.") for t in eq_refs), eq_refs
