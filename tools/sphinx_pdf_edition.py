"""Sphinx extension for the PDF edition (``make pdf``) and the HTML book's link to it.

1. Every page of the HTML site gets a header button "Download the book as a PDF" that links
   ``gmm-em-book.pdf`` at the root of the site.
2. After an HTML build, the PDF that ``make pdf`` wrote (``_build/pdf/gmm-em-book.pdf``) is copied
   into the site, when it exists, so the button has something to download.  The Pages workflow
   runs ``make pdf`` before ``make book``.

3. The single-page build that the PDF is printed from (builder ``singlehtml``) gets no button,
   and renders every node the HTML build renders: sphinx-exercise registers its nodes for the
   ``singlehtml`` builder by name, and Sphinx then looks up *every* node's HTML visitor under that
   name only, so e.g. myst-nb's folded code cells (``HideCodeCellNode``) would fail to render.
   We give ``singlehtml`` the ``html`` visitors it lacks.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

PDF_NAME = "gmm-em-book.pdf"


def built_pdf(app: Sphinx) -> Path:
    """Where ``make pdf`` writes the PDF: ``_build/pdf/`` next to the HTML output folder."""
    return Path(app.outdir).parent / "pdf" / PDF_NAME


def add_pdf_button(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if app.builder.name != "html" or "header_buttons" not in context:
        return
    context["header_buttons"].append(
        {
            "type": "link",
            "url": context["pathto"](PDF_NAME, 1),
            "tooltip": "Download the book as a PDF",
            "icon": "fas fa-file-pdf",
            "label": "download-book-pdf-button",
        }
    )


def copy_pdf_into_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html":
        return
    pdf = built_pdf(app)
    if pdf.is_file():
        shutil.copy2(pdf, Path(app.outdir) / PDF_NAME)


def share_html_visitors_with_singlehtml(app: Sphinx) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node_name, visitors in handlers.get("html", {}).items():
        single.setdefault(node_name, visitors)


def setup(app: Sphinx) -> dict:
    # after sphinx-book-theme has made its list of header buttons (priority 500)
    app.connect("html-page-context", add_pdf_button, priority=510)
    app.connect("build-finished", copy_pdf_into_site)
    app.connect("builder-inited", share_html_visitors_with_singlehtml)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
