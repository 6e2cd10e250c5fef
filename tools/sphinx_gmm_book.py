"""Sphinx extension with the book's own build steps (loaded from ``_config.yml``).

1. Vendor MathJax before the build (``tools/fetch_mathjax.py``), so ``mathjax_path`` points
   at a copy inside the site and no page loads it from a CDN.
2. The project's public URLs and version come from one place each: ``[project.urls]`` in
   pyproject.toml (the repository and issues buttons, the launch buttons, the links in the
   reader notebooks) and ``gmmlib.__version__`` (the book's ``release``, the setup cell's pin).
   Launch buttons open the page's *notebook*: sphinx-book-theme builds Binder and Colab
   links to the page's source file, a MyST ``.md`` that Colab cannot read and Binder opens as
   text.  We point them at ``book/<chapter>.ipynb`` on the ``gmm_notebooks_branch`` branch,
   which the deploy workflow fills with the notebooks this build writes.
3. Reader notebooks (``tools/reader_notebooks.py``): the ``.ipynb`` download (``_sources/``),
   Binder and Colab get plain-Jupyter notebooks generated from the resolved doctree, whose
   first cell installs the released ``gmmlib[notebooks]`` where gmmlib is missing.
4. Drop sphinx-thebe's scripts when Thebe is off.  sphinx-thebe 0.3.1 (always loaded by
   Jupyter Book) adds its inline ``const THEBE_JS_URL = ...`` late, when Sphinx ends up
   emitting it twice on every page, so the console shows "Identifier 'THEBE_JS_URL' has
   already been declared".  With Thebe off the scripts do nothing useful anyway.
5. Drop the Font Awesome 4 stylesheet that matplotlib's ``FuncAnimation.to_jshtml()`` links
   from a CDN: the theme already ships Font Awesome, which draws the animation's buttons.
6. Print how long each notebook took to execute (or that it came from the cache).
7. Citations in round brackets: sphinxcontrib-bibtex's ``author_year`` style writes
   "[Bishop, 2006]"; ``author_year_round`` (registered here, as its documentation shows for
   custom brackets) writes "(Bishop, 2006)" and "Bishop (2006)".
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path
from typing import Any

import sphinxcontrib.bibtex.plugin
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

LOGGER = logging.getLogger(__name__)
TOOLS = Path(__file__).resolve().parent

sys.path.insert(0, str(TOOLS))
import reader_notebooks  # noqa: E402  (a sibling module of this extension)

sys.path.remove(str(TOOLS))

# <link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css">
JSHTML_FONT_AWESOME = re.compile(
    r"<link\s+rel=\"stylesheet\"\s+href=\"https://maxcdn\.bootstrapcdn\.com/font-awesome/[^\"]*\"\s*/?>"
)


def _round_brackets() -> BracketStyle:
    return BracketStyle(left="(", right=")")


@dataclasses.dataclass
class AuthorYearRoundReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` with round brackets: (Bishop, 2006), Bishop (2006)."""

    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=_round_brackets)
    bracket_textual: BracketStyle = dataclasses.field(default_factory=_round_brackets)
    bracket_author: BracketStyle = dataclasses.field(default_factory=_round_brackets)
    bracket_label: BracketStyle = dataclasses.field(default_factory=_round_brackets)
    bracket_year: BracketStyle = dataclasses.field(default_factory=_round_brackets)


sphinxcontrib.bibtex.plugin.register_plugin(
    "sphinxcontrib.bibtex.style.referencing", "author_year_round", AuthorYearRoundReferenceStyle, force=True
)


def use_project_urls_and_version(app: Sphinx, config: Any) -> None:
    """The repository URL and version come from pyproject.toml and gmmlib, not _config.yml."""
    urls = reader_notebooks.project_urls()
    config.html_theme_options.update(
        repository_url=urls["Source"], use_repository_button=True, use_issues_button=True
    )
    config.version = config.release = reader_notebooks.gmmlib_version()
    config.myst_substitutions = {
        **config.myst_substitutions,
        "source_url": urls["Source"],
        "book_url": urls["Book"],
        "gmmlib_version": config.release,
    }


def vendor_mathjax(app: Sphinx, config: Any) -> None:
    sys.path.insert(0, str(TOOLS))
    try:
        import fetch_mathjax
    finally:
        sys.path.remove(str(TOOLS))
    fetch_mathjax.ensure()


def drop_thebe_config_script(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """Remove sphinx-thebe's inline ``const THEBE_JS_URL = ...`` script(s) when Thebe is off."""
    launch = app.config.html_theme_options.get("launch_buttons", {}) or {}
    if launch.get("thebe"):
        return
    kept = []
    for filename, attributes in app.registry.js_files:
        body = attributes.get("body", "") or ""
        if "THEBE_JS_URL" in body or filename == "sphinx-thebe.js":
            continue
        kept.append((filename, attributes))
    app.registry.js_files[:] = kept
    builder = getattr(app, "builder", None)
    if builder is not None and hasattr(builder, "script_files"):
        builder.script_files[:] = [
            js
            for js in builder.script_files
            if "THEBE_JS_URL" not in (js.attributes.get("body", "") or "")
            and not (js.filename or "").endswith("sphinx-thebe.js")
        ]


def strip_cdn_font_awesome(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    body = context.get("body")
    if body and "maxcdn.bootstrapcdn.com/font-awesome" in body:
        context["body"] = JSHTML_FONT_AWESOME.sub("", body)


def notebook_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Point the launch buttons at the page's reader notebook on the notebooks branch."""
    if not context.get("ipynb_source"):
        return  # not a notebook page
    opts = app.config.html_theme_options
    launch = opts.get("launch_buttons", {}) or {}
    repo_url = opts.get("repository_url", "").rstrip("/")
    org, repo = repo_url.split("github.com/")[-1].split("/")[:2]
    branch = app.config.gmm_notebooks_branch
    notebook = f"{pagename}.ipynb"
    ui = {"classic": "tree", "jupyterlab": "lab/tree"}[launch.get("notebook_interface", "classic")]
    urls = {}
    if launch.get("binderhub_url"):
        urls["Binder"] = f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org}/{repo}/{branch}?urlpath={ui}/{notebook}"
    if launch.get("colab_url"):
        urls["Colab"] = f"{launch['colab_url'].rstrip('/')}/github/{org}/{repo}/blob/{branch}/{notebook}"
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group["buttons"]:
            if button.get("text") in urls:
                button["url"] = urls[button["text"]]



def report_execution(app: Sphinx, exception: Exception | None) -> None:
    """Print each notebook's execution time (MyST-NB's execution data)."""
    try:
        from myst_nb.sphinx_ import NbMetadataCollector
    except ImportError:  # pragma: no cover
        return
    data = NbMetadataCollector.get_doc_data(app.env)
    rows = [(doc, d["exec_data"]) for doc, d in sorted(data.items()) if d.get("exec_data")]
    if not rows:
        return
    print("\nNotebook execution (method: 'cache' = executed this build or reused from the cache):")
    total = 0.0
    for doc, ex in rows:
        runtime = ex.get("runtime") or 0.0
        total += runtime
        status = "ok" if ex.get("succeeded") else "FAILED"
        print(f"  {doc:<40} {runtime:7.2f} s  {ex.get('method', ''):<6} {status}")
    print(f"  {'total':<40} {total:7.2f} s\n")


def setup(app: Sphinx) -> dict:
    app.add_config_value("gmm_notebooks_branch", "notebooks", "html")
    app.connect("config-inited", vendor_mathjax)
    app.connect("config-inited", use_project_urls_and_version)
    # after sphinx-thebe's own env-before-read-docs handler (priority 500)
    app.connect("env-before-read-docs", drop_thebe_config_script, priority=900)
    app.connect("builder-inited", lambda app: drop_thebe_config_script(app, None, []), priority=900)
    # after sphinx-book-theme's launch/header button handlers (priority 501)
    app.connect("html-page-context", notebook_buttons, priority=600)
    app.connect("html-page-context", strip_cdn_font_awesome)
    app.connect("build-finished", report_execution)
    app.connect("doctree-resolved", reader_notebooks.collect_reader_notebook)
    app.connect("build-finished", reader_notebooks.write_reader_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
