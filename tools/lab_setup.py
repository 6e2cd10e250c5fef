"""Make JupyterLab (in this environment) open the MyST ``.md`` chapters as notebooks.

Jupytext's server extension reads and writes ``.md`` notebooks; which *viewer* a
double-click uses is a JupyterLab setting.  This writes the environment-wide default
(``<sys.prefix>/share/jupyter/lab/settings/overrides.json``, merged with what is there) so
that Markdown and MyST files open with "Jupytext Notebook" (a reader can still right-click a
file and choose Open With > Editor), and turns off JupyterLab's news and update checks.
Nothing outside this environment is touched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SETTINGS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
PLUGIN = "@jupyterlab/docmanager-extension:plugin"
VIEWERS = {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
# Do not ask to fetch Jupyter news or check for updates (the book also runs offline).
NOTIFICATIONS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def main() -> None:
    overrides = json.loads(SETTINGS.read_text()) if SETTINGS.is_file() else {}
    before = json.dumps(overrides, sort_keys=True)
    overrides.setdefault(PLUGIN, {}).setdefault("defaultViewers", {}).update(VIEWERS)
    for plugin, values in NOTIFICATIONS.items():
        overrides.setdefault(plugin, {}).update(values)
    if json.dumps(overrides, sort_keys=True) == before:
        return
    SETTINGS.parent.mkdir(parents=True, exist_ok=True)
    SETTINGS.write_text(json.dumps(overrides, indent=2) + "\n")
    print(f"lab_setup: .md files open as notebooks (set in {SETTINGS})")


if __name__ == "__main__":
    main()
