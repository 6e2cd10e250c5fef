"""Keep the executed-notebook cache honest: clear it when gmmlib or the pinned stack changes.

Jupyter Book reuses a chapter's outputs from ``_build/.jupyter_cache`` as long as the chapter's
code cells are unchanged.  A change to ``gmmlib`` (or to the versions in constraints.txt, or to
the figures' style in ``book/matplotlibrc``) can change those outputs too, so ``make book`` runs
this first: it hashes ``gmmlib/**/*.py``, ``constraints.txt`` and ``book/matplotlibrc`` and,
when the hash differs from the one the cache was built with, deletes
the cache so every chapter executes again.  (A content hash rather than file times, so a cache
restored in CI from a matching key is kept.)
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
KEY_FILE = ROOT / "_build" / ".jupyter_cache.key"


def current_key() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "gmmlib").rglob("*.py")) + [ROOT / "constraints.txt", ROOT / "book" / "matplotlibrc"]:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main() -> None:
    key = current_key()
    if KEY_FILE.is_file() and KEY_FILE.read_text().strip() == key:
        return
    if CACHE.exists():
        print("exec_cache: gmmlib, constraints.txt or book/matplotlibrc changed; every chapter will execute again")
        shutil.rmtree(CACHE)
    KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    KEY_FILE.write_text(key + "\n")


if __name__ == "__main__":
    main()
