"""Reader notebooks: each chapter as a plain Jupyter notebook, written from Sphinx's doctree.

Readers open a chapter's notebook in JupyterLab, classic Notebook, VS Code, Colab or Binder, none of
which understands MyST.  So the notebook behind the download, Binder and Colab buttons is
generated from the *resolved doctree* of the page at the end of the HTML build
(``build-finished``), and written over the copy sphinx-book-theme put in ``_sources/``:

- cross-references ({ref}, {eq}, {numref}, {prf:ref}) are already resolved by Sphinx into links
  with the same text the HTML shows; they become absolute links to the online book (the ``Book``
  URL of ``[project.urls]`` in pyproject.toml, the project's one public-URL setting);
- numbered equations get ``\\tag{N}`` with the number Sphinx gives the HTML
  (``sphinx.util.math.get_node_equation_number`` on the environment's ``toc_fignumbers``);
- citations are sphinxcontrib-bibtex's own "(Bishop, 2006)" text linking to the bibliography;
- admonitions, theorems and exercises become blockquotes with their (numbered) titles;
  solutions are folded in ``<details><summary>Solution ...</summary>``, and a gated solution's
  code goes inside the fold as a code block, so no solution is visible by scrolling;
- MyST-NB has already dropped the ``remove-cell`` cells (the book's hidden checks) from the
  doctree.  Some of them also define values that later visible cells use (e.g. a figure's
  boundaries), so the notebook would not run without them: for those, the cell comes back with
  its ``assert`` statements removed, collapsed and tagged ``book-hidden-setup`` (see
  :func:`hidden_setup_cells`); a check cell that only checks stays out.  ``hide-input`` cells
  stay, collapsed with ``jupyter.source_hidden``; figure captions follow their code cell;
- outputs are stripped: the notebook is for running (its first cell installs the released
  ``gmmlib[notebooks]==<version>`` where gmmlib is missing), stays far below 500 KB, and cannot
  carry widget state or the explorers' three copies of the same run.

Why not another tool: sphinx-tojupyter 0.6.0 (QuantEcon) was evaluated from its source.  It is a
separate Sphinx builder, so the book would be read a second time (over a minute here), it pulls in
dask[distributed] and nbdime, folds no sphinx-exercise solutions, keeps MyST-NB's hidden-input
cells visible and writes links relative to the notebook folder.  Converting the MyST text itself
(jupytext, or markdown-it tokens) would have to re-derive equation numbers, reference texts and
citation labels that Sphinx has already computed.  A docutils visitor over the resolved doctree
gets all of them for free; any node it does not know is reported as a build warning (an error
under ``make book``), so a new construct cannot slip into the notebooks raw.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urljoin

import tomllib
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

LOGGER = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent

SETUP_CELL_TAG = "gmm-book-setup"
MAX_NOTEBOOK_BYTES = 500_000
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$|#])")


def project_urls() -> dict[str, str]:
    """The project's public URLs (``[project.urls]`` in pyproject.toml): Book, Source, Issues."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]


def gmmlib_version() -> str:
    """``gmmlib.__version__``, read from the source without importing the package."""
    tree = ast.parse((ROOT / "gmmlib" / "__init__.py").read_text())
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in statement.targets
        ):
            return ast.literal_eval(statement.value)
    raise RuntimeError("gmmlib/__init__.py defines no __version__")


def setup_cell_source(version: str) -> str:
    """The first cell of every reader notebook: install the released gmmlib where it is missing."""
    return f'''# Setup: this notebook needs gmmlib {version}, the book's library, and the packages its chapters
# use. Where gmmlib is installed (a clone with `make lab`, Binder) this cell does nothing;
# elsewhere (Colab, a fresh Jupyter) it installs the release from PyPI.
import importlib.util, subprocess, sys
if importlib.util.find_spec("gmmlib") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gmmlib[notebooks]=={version}"], check=True)
if "google.colab" in sys.modules:  # Colab shows ipywidgets sliders only with its widget manager
    from google.colab import output
    output.enable_custom_widget_manager()'''


def escape(text: str) -> str:
    """Plain doctree text as Markdown: one line, Markdown's special characters escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def code_span(text: str) -> str:
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded.replace(chr(10), ' ')}{fence}"


def prefix_lines(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([first + lines[0]] + [(rest + line) if line else rest.rstrip() for line in lines[1:]])


HIDDEN_SETUP_TAG = "book-hidden-setup"


def _bound_and_loaded(source: str) -> tuple[set[str], set[str]]:
    """Names a cell binds (assignments, imports, defs) and names it reads."""
    bound, loaded = set(), set()
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: nothing we can analyse
        return bound, loaded
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return bound, loaded


class _DropAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return None

    def generic_visit(self, node):
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(node, field, None), list) and field == "body" and not node.body:
                node.body = [ast.Pass()]
        return node


def without_asserts(source: str) -> str:
    """The cell's code with every ``assert`` statement removed ("" if nothing else is left)."""
    tree = _DropAsserts().visit(ast.parse(source))
    tree.body = [s for s in tree.body if not isinstance(s, ast.Pass)]
    return ast.unparse(ast.fix_missing_locations(tree)) if tree.body else ""


def hidden_setup_cells(source_cells: list[dict]) -> dict[int, str]:
    """cell index -> code: the ``remove-cell`` cells that later visible cells depend on.

    A hidden cell is needed when it binds a name that a later visible code cell reads; it is
    kept without its assertions (the checks are the book's business, not the reader's).
    """
    needed: dict[int, str] = {}
    later_loads: set[str] = set()
    for index in range(len(source_cells) - 1, -1, -1):
        cell = source_cells[index]
        if cell["cell_type"] != "code" or cell["source"].lstrip().startswith(("%", "!")):
            continue
        bound, loaded = _bound_and_loaded(cell["source"])
        if "remove-cell" in cell["metadata"].get("tags", []):
            code = without_asserts(cell["source"]) if bound else ""
            if code and bound & later_loads:
                needed[index] = code
                later_loads |= _bound_and_loaded(code)[1]
        else:
            later_loads |= loaded
    return needed


class ReaderNotebookWriter:
    """Turn one page's resolved doctree into notebook cells (Markdown and code)."""

    def __init__(self, app: Any, docname: str, book_url: str, hidden_setup: dict[int, str] | None = None):
        self.app = app
        self.hidden_setup = dict(hidden_setup or {})  # emitted in order before the next visible cell
        self.docname = docname
        self.page_url = urljoin(book_url, f"{docname}.html")
        self.fignumbers = app.env.toc_fignumbers.get(docname, {})
        self.math_writer = SimpleNamespace(
            builder=SimpleNamespace(config=app.config, name=app.builder.name, fignumbers=self.fignumbers)
        )
        self.cells: list[dict] = []
        self.markdown: list[str] = []

    # ----- cells -------------------------------------------------------------------------------
    def flush_markdown(self) -> None:
        text = "\n\n".join(block for block in self.markdown if block.strip()).strip()
        if text:
            self.cells.append({"cell_type": "markdown", "metadata": {}, "source": text})
        self.markdown = []

    def add_hidden_setup(self, before_index: float) -> None:
        for index in sorted(i for i in self.hidden_setup if i < before_index):
            code = self.hidden_setup.pop(index)
            self.cells.append({
                "cell_type": "code", "execution_count": None, "outputs": [],
                "metadata": {"tags": [HIDDEN_SETUP_TAG], "jupyter": {"source_hidden": True}},
                "source": "# Values the book computes out of sight and the cells below use.\n" + code,
            })

    def add_code_cell(self, container: nodes.container) -> None:
        self.flush_markdown()
        self.add_hidden_setup(container.get("cell_index", float("inf")))
        tags = list(container.get("cell_metadata", {}).get("tags", []))
        metadata: dict[str, Any] = {"tags": tags} if tags else {}
        if "hide-input" in tags:
            metadata["jupyter"] = {"source_hidden": True}
        self.cells.append({
            "cell_type": "code", "execution_count": None, "metadata": metadata, "outputs": [],
            "source": self.cell_source(container),
        })
        captions = [self.figure_caption(figure) for figure in container.findall(nodes.figure)]
        self.markdown.extend(c for c in captions if c)

    def cell_source(self, container: nodes.container) -> str:
        for child in container.findall(nodes.container):
            if child.get("nb_element") == "cell_code_source":
                return child.astext().rstrip("\n")
        self.warn(container, "a code cell without its source (remove-input?) cannot go in a reader notebook")
        return ""

    def figure_caption(self, figure: nodes.figure) -> str:
        caption = next(iter(figure.findall(nodes.caption)), None)
        if caption is None:
            return ""
        label = ""
        if figure["ids"] and figure["ids"][0] in self.fignumbers.get("figure", {}):
            number = ".".join(map(str, self.fignumbers["figure"][figure["ids"][0]]))
            label = f"**{escape(self.app.config.numfig_format['figure'] % number)}** "
        return label + self.inline(caption)

    # ----- block nodes ---------------------------------------------------------------------------
    def walk_document(self, document: nodes.document) -> list[dict]:
        for child in document.children:
            self.walk_block(child, level=1)
        self.flush_markdown()
        self.add_hidden_setup(float("inf"))
        return self.cells

    def walk_block(self, node: nodes.Node, level: int) -> None:
        """Top-level flow: code cells split the Markdown; everything else is rendered as text."""
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            self.add_code_cell(node)
        elif isinstance(node, nodes.section):
            self.markdown.append(self.heading(node, level))
            for child in node.children[1:]:
                self.walk_block(child, level + 1)
        elif isinstance(node, nodes.container) and not node.get("nb_element") and any(
            c.get("nb_element") == "cell_code" for c in node.findall(nodes.container)
        ):
            for child in node.children:
                self.walk_block(child, level)
        else:
            self.markdown.append(self.block(node))

    def heading(self, section: nodes.section, level: int) -> str:
        return "#" * min(level, 6) + " " + self.inline(section[0])

    def blocks(self, children) -> str:
        return "\n\n".join(b for b in (self.block(c) for c in children) if b.strip())

    def block(self, node: nodes.Node) -> str:
        name = type(node).__name__
        if isinstance(node, (nodes.target, nodes.comment, nodes.substitution_definition, addnodes.index, addnodes.toctree)):
            return ""
        if isinstance(node, nodes.paragraph):
            return self.inline(node)
        if isinstance(node, nodes.section):
            if not isinstance(node[0], nodes.title):  # sphinx-proof's untitled content section
                return self.blocks(node.children)
            return self.heading(node, 3) + "\n\n" + self.blocks(node.children[1:])
        if isinstance(node, nodes.math_block):
            return self.math_block(node)
        if isinstance(node, nodes.bullet_list):
            return "\n".join(prefix_lines(self.blocks(item), "- ", "  ") for item in node.children)
        if isinstance(node, nodes.enumerated_list):
            start = node.get("start", 1)
            return "\n".join(
                prefix_lines(self.blocks(item), f"{start + i}. ", "   ") for i, item in enumerate(node.children)
            )
        if isinstance(node, nodes.literal_block):
            return f"```{node.get('language', '')}\n{node.astext()}\n```"
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            return self.folded_code(node)
        if name == "solution_node":
            return self.solution(node)
        if isinstance(node, nodes.Admonition):
            return self.titled_blockquote(node)
        if isinstance(node, nodes.block_quote):
            return prefix_lines(self.blocks(node.children), "> ", "> ")
        if isinstance(node, nodes.table):
            return self.table(node)
        if isinstance(node, nodes.definition_list):
            return "\n\n".join(
                f"**{self.inline(item[0])}**\n\n" + prefix_lines(self.blocks(item[-1].children), "> ", "> ")
                for item in node.children
            )
        if isinstance(node, nodes.raw) and node.get("format") == "html":
            return node.astext()
        if isinstance(node, nodes.rubric):
            return f"**{self.inline(node)}**"
        if isinstance(node, nodes.transition):
            return "---"
        if isinstance(node, (nodes.container, nodes.compound)) or name in ("proof_node",):
            return self.blocks(node.children)
        self.warn(node, f"reader notebooks: no Markdown for a {name} node; add it to tools/reader_notebooks.py")
        return escape(node.astext())

    def math_block(self, node: nodes.math_block) -> str:
        body = node.astext().strip()
        number = get_node_equation_number(self.math_writer, node) if node.get("number") else ""
        tag = f"\n\\tag{{{number}}}" if number else ""
        return f"$$\n{body}{tag}\n$$"

    def titled_blockquote(self, node: nodes.Element) -> str:
        title_nodes = [c for c in node.children if isinstance(c, nodes.title)]
        title = self.inline(title_nodes[0]) if title_nodes else escape(type(node).__name__.title())
        title = self.numbered_title(node, title)
        body = self.blocks([c for c in node.children if not isinstance(c, nodes.title)])
        return prefix_lines(f"**{title}**\n\n{body}", "> ", "> ")

    def numbered_title(self, node: nodes.Element, title: str) -> str:
        """sphinx-proof and sphinx-exercise write "Theorem 2" / "Exercise 3" only in their HTML
        visitors: take the number from numfig, as they do."""
        kind = type(node).__name__.removesuffix("_node").removesuffix("_enumerable")
        if node.get("type") == "proof" or kind not in self.fignumbers or not node["ids"]:
            return title
        number = next((self.fignumbers[kind][i] for i in node["ids"] if i in self.fignumbers[kind]), None)
        if number is None:
            return title
        label_format = self.app.config.numfig_format.get(kind, kind.title() + " %s")
        label = escape(label_format % ".".join(map(str, number)))
        return f"{label} {title.strip()}" if title.strip() else label

    def solution(self, node: nodes.Element) -> str:
        # plain text: Markdown inside an HTML <summary> is not rendered
        title = html.escape(node[0].astext().strip()) if isinstance(node[0], nodes.title) else "Solution"
        body = self.blocks(node.children[1:])
        return f"<details><summary>{title}</summary>\n\n{body}\n\n</details>"

    def folded_code(self, container: nodes.container) -> str:
        """A code cell inside a solution: shown as a code block inside the fold, not run."""
        return f"```python\n{self.cell_source(container)}\n```"

    def table(self, node: nodes.table) -> str:
        rows = [
            [self.blocks(entry.children).replace("\n", " ") for entry in row.children]
            for row in node.findall(nodes.row)
        ]
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
        lines.insert(1, "|" + "---|" * width)
        caption = [self.inline(t) for t in node.children if isinstance(t, nodes.title)]
        return ("\n\n".join(caption) + "\n\n" if caption else "") + "\n".join(lines)

    # ----- inline nodes ----------------------------------------------------------------------------
    def inline(self, node: nodes.Node) -> str:
        return "".join(self.inline_node(child) for child in node.children)

    def inline_node(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Text):
            return escape(node.astext())
        if isinstance(node, nodes.math):
            return f"${node.astext().strip().replace(chr(10), ' ')}$"
        if isinstance(node, nodes.literal):
            return code_span(node.astext())
        if isinstance(node, nodes.strong):
            return f"**{self.inline(node)}**"
        if isinstance(node, nodes.emphasis):
            return f"*{self.inline(node)}*"
        if isinstance(node, nodes.reference):
            return f"[{self.inline(node)}]({self.link(node)})"
        if isinstance(node, nodes.footnote_reference):
            return f"[{escape(node.astext())}]"
        if isinstance(node, nodes.subscript):
            return f"<sub>{self.inline(node)}</sub>"
        if isinstance(node, nodes.superscript):
            return f"<sup>{self.inline(node)}</sup>"
        if isinstance(node, nodes.raw) and node.get("format") == "html":
            return node.astext()
        if isinstance(node, (nodes.target, nodes.substitution_definition, nodes.comment)):
            return self.inline(node) if node.children else ""
        if isinstance(node, (nodes.inline, nodes.TextElement)):
            return self.inline(node)
        self.warn(node, f"reader notebooks: no inline Markdown for a {type(node).__name__} node")
        return escape(node.astext())

    def link(self, node: nodes.reference) -> str:
        """An absolute URL: external links as written, the book's own pages on the online book."""
        if node.get("refid"):
            return f"{self.page_url}#{node['refid']}"
        return urljoin(self.page_url, node.get("refuri", ""))

    def warn(self, node: nodes.Node, message: str) -> None:
        LOGGER.warning(message, location=node)


def notebook(app: Any, docname: str, doctree: nodes.document) -> dict:
    """The reader notebook of one page (its resolved doctree), as nbformat 4 JSON."""
    urls, version = project_urls(), gmmlib_version()
    writer = ReaderNotebookWriter(app, docname, urls["Book"], hidden_setup_cells(source_cells(app, docname)))
    cells = writer.walk_document(doctree)
    intro = (
        f"*This notebook is generated from the page [{escape(app.env.titles[docname].astext())}]"
        f"({writer.page_url}) of the book [{escape(app.config.html_title)}]({urls['Book']}). "
        f"Links go to the online book; solutions are folded: click **Solution** to open one.*"
    )
    setup = {
        "cell_type": "code", "execution_count": None, "metadata": {"tags": [SETUP_CELL_TAG]},
        "outputs": [], "source": setup_cell_source(version),
    }
    cells = [setup, {"cell_type": "markdown", "metadata": {}, "source": intro}, *cells]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    return {
        "cells": cells,
        "metadata": {
            "gmm_book": {"generator": generator_key(), "page": writer.page_url},
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def source_cells(app: Any, docname: str) -> list[dict]:
    """The page's cells as MyST-NB read them (so ``cell_index`` in the doctree points into them)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    text = Path(app.env.doc2path(docname)).read_text(encoding="utf8")
    return read_myst_markdown_notebook(text)["cells"]


def notebook_docnames(app: Any) -> list[str]:
    """Pages that are notebooks (MyST-NB executed them): the chapters, the FAQ, the guide."""
    return sorted(d for d in app.env.found_docs if app.env.metadata.get(d, {}).get("kernelspec"))


def write_binder_environment(app: Any, version: str, target: Path) -> None:
    """binder/: what Binder installs for the notebooks branch, the same pinned extra as the setup cell."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "runtime.txt").write_text("python-3.11\n")
    (target / "constraints.txt").write_text((ROOT / "constraints.txt").read_text())
    (target / "requirements.txt").write_text(
        "# Generated by tools/reader_notebooks.py: the released gmmlib with everything the chapters\n"
        "# import, pinned to the stack the book is tested with.\n"
        f"-c constraints.txt\ngmmlib[notebooks]=={version}\n"
    )


# docname -> reader notebook, collected while Sphinx writes the pages, written when it is done
_NOTEBOOKS: dict[str, dict] = {}
_SECONDS = [0.0]  # time spent converting, reported at the end of the build


def collect_reader_notebook(app: Any, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: the page's doctree as the HTML writer gets it, at no extra cost."""
    # Only the multi-page site: the single-page build behind the PDF (singlehtml, also an
    # "html" format) resolves the whole book as one doctree and has no download buttons.
    if app.builder.name == "html" and app.env.metadata.get(docname, {}).get("kernelspec"):
        started = time.perf_counter()
        _NOTEBOOKS[docname] = notebook(app, docname, doctree)
        _SECONDS[0] += time.perf_counter() - started


def write_reader_notebooks(app: Any, exception: Exception | None) -> None:
    """``build-finished``: write the reader notebooks to ``_sources/<page>.ipynb``.

    Pages Sphinx did not rewrite (unchanged since the last build) keep the notebook written
    then; one that has none of ours (a fresh ``_sources`` copy) is resolved again here.
    """
    if exception is not None or app.builder.name != "html":
        return
    started = time.perf_counter() - _SECONDS[0]
    written = 0
    for docname in notebook_docnames(app):
        path = Path(app.outdir, "_sources", f"{docname}.ipynb")
        nb = _NOTEBOOKS.pop(docname, None)
        if nb is None and is_reader_notebook(path):
            continue
        if nb is None:
            nb = notebook(app, docname, app.env.get_and_resolve_doctree(docname, app.builder))
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if len(text.encode()) > MAX_NOTEBOOK_BYTES:
            LOGGER.warning(f"reader notebook {path.name} is over {MAX_NOTEBOOK_BYTES} bytes")
        path.write_text(text, encoding="utf8")
        written += 1
    write_binder_environment(app, gmmlib_version(), Path(app.outdir).parent / "binder")
    _SECONDS[0] = 0.0
    print(f"reader notebooks: {written} written to _build/html/_sources/ in {time.perf_counter() - started:.1f} s")


def generator_key() -> str:
    """Changes when this converter or gmmlib's version does, so old notebooks are rewritten."""
    digest = hashlib.sha256(Path(__file__).read_bytes() + gmmlib_version().encode())
    return digest.hexdigest()[:16]


def is_reader_notebook(path: Path) -> bool:
    """The file is a reader notebook written by this version of the converter."""
    if not path.is_file():
        return False
    metadata = json.loads(path.read_text(encoding="utf8")).get("metadata", {})
    return metadata.get("gmm_book", {}).get("generator") == generator_key()
