"""Sphinx extension with the book's own build steps (loaded from ``_config.yml``).

1. Vendor MathJax before the build (``tools/fetch_mathjax.py``), so ``mathjax_path`` points
   at a copy inside the site and no page loads it from a CDN.
2. Launch buttons that open the page's *notebook*: sphinx-book-theme builds Binder and Colab
   links to the page's source file, a MyST ``.md`` that Colab cannot read and Binder opens as
   text.  We point them at ``book/<chapter>.ipynb`` on the ``gmm_notebooks_branch`` branch,
   which the deploy workflow fills with the notebooks this build writes.
3. The ``.ipynb`` download (sphinx-book-theme copies the executed notebook into
   ``_sources/``) gets a first cell that installs ``gmmlib`` when it is missing, so the same
   file runs on Colab, on Binder and on a reader's machine.
4. Drop sphinx-thebe's scripts when Thebe is off.  sphinx-thebe 0.3.1 (always loaded by
   Jupyter Book) adds its inline ``const THEBE_JS_URL = ...`` late, when Sphinx ends up
   emitting it twice on every page, so the console shows "Identifier 'THEBE_JS_URL' has
   already been declared".  With Thebe off the scripts do nothing useful anyway.
5. Drop the Font Awesome 4 stylesheet that matplotlib's ``FuncAnimation.to_jshtml()`` links
   from a CDN: the theme already ships Font Awesome, which draws the animation's buttons.
6. Print how long each notebook took to execute (or that it came from the cache).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
TOOLS = Path(__file__).resolve().parent

SETUP_CELL_MARKER = "gmm-book-setup"

# <link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css">
JSHTML_FONT_AWESOME = re.compile(
    r"<link\s+rel=\"stylesheet\"\s+href=\"https://maxcdn\.bootstrapcdn\.com/font-awesome/[^\"]*\"\s*/?>"
)


def _setup_cell_source(repo_url: str) -> str:
    return f'''# Setup: install gmmlib (the book's library) if this environment does not have it,
# e.g. on Colab or Binder. Where it is installed already this cell does nothing.
import importlib.util, subprocess, sys
if importlib.util.find_spec("gmmlib") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "gmmlib[widgets] @ git+{repo_url}"], check=True)
if "google.colab" in sys.modules:  # let Colab show ipywidgets sliders
    from google.colab import output
    output.enable_custom_widget_manager()'''


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
    """Point launch buttons at the page's .ipynb and add the setup cell to the download."""
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

    # The theme copied the executed notebook to _sources/<page>.ipynb; prepend the setup cell.
    path = Path(app.outdir, "_sources", context["ipynb_source"])
    if not path.is_file():
        return
    nb = json.loads(path.read_text(encoding="utf8"))
    cells = nb.get("cells", [])
    if cells and SETUP_CELL_MARKER in cells[0].get("metadata", {}).get("tags", []):
        return
    cells.insert(
        0,
        {
            "cell_type": "code",
            "execution_count": None,
            "id": SETUP_CELL_MARKER,
            "metadata": {"tags": [SETUP_CELL_MARKER]},
            "outputs": [],
            "source": _setup_cell_source(repo_url),
        },
    )
    nb["cells"] = cells
    nb["nbformat"], nb["nbformat_minor"] = 4, max(nb.get("nbformat_minor", 5), 5)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf8")


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
    # after sphinx-thebe's own env-before-read-docs handler (priority 500)
    app.connect("env-before-read-docs", drop_thebe_config_script, priority=900)
    app.connect("builder-inited", lambda app: drop_thebe_config_script(app, None, []), priority=900)
    # after sphinx-book-theme's launch/header button handlers (priority 501)
    app.connect("html-page-context", notebook_buttons, priority=600)
    app.connect("html-page-context", strip_cdn_font_awesome)
    app.connect("build-finished", report_execution)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
