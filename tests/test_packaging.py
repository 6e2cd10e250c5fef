"""The project's metadata stays consistent: conda and pip users get the same dependencies."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _parse(requirement):
    """'numpy>=1.24' -> ('numpy', '>=1.24'); names normalised as pip does."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", requirement)
    name, specifier = match.groups()
    return re.sub(r"[-_.]+", "-", name).lower(), specifier.replace(" ", "")


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return {_parse(r) for r in requirements}


def conda_requirements():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    entries = [d for d in environment["dependencies"] if isinstance(d, str)]
    return {_parse(d) for d in entries if _parse(d)[0] not in ("python", "pip")}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    pip_side, conda_side = pyproject_requirements(), conda_requirements()
    assert pip_side - conda_side == set(), "in pyproject.toml but not environment.yml"
    assert conda_side - pip_side == set(), "in environment.yml but not pyproject.toml"


def test_runtime_dependencies_are_numpy_and_scipy_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {_parse(r)[0] for r in project["dependencies"]} == {"numpy", "scipy"}


def test_environment_yml_python_matches_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python{project['requires-python']}" in environment["dependencies"]


def test_ci_runs_make_test_and_nothing_else():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["exec make test"]
