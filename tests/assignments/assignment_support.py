"""The build script behind ``make assignments``, loaded as a module for the tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_build_module():
    spec = importlib.util.spec_from_file_location(
        "build_assignments", ROOT / "tools" / "build_assignments.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_assignments = _load_build_module()
ASSIGNMENTS = build_assignments.assignment_names()
