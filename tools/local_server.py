"""Serve a folder on 127.0.0.1 (an ephemeral port) from a daemon thread, as a context manager.

Used where a browser must load the built book the way a reader's browser does (over HTTP, not
``file://``): ``tools/print_pdf.py`` prints the single-page build through it, and the browser
tests (``tests/book/booksite.py``) serve the site with it, adding test-only files at extra paths.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extra_files: dict[str, Path] = {}

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    def translate_path(self, path: str) -> str:
        extra = self.extra_files.get(urlsplit(path).path)
        return str(extra) if extra is not None else super().translate_path(path)


class LocalServer:
    """``with LocalServer(folder, extra_files={"/x.js": path}) as server: server.base_url``."""

    def __init__(self, folder: Path, extra_files: dict[str, Path] | None = None):
        handler_class = type("Handler", (_QuietHandler,), {"extra_files": dict(extra_files or {})})
        handler = functools.partial(handler_class, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> "LocalServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
