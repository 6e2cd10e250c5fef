"""The build half of the release workflow: the wheel and sdist that `make dist` builds (the
commands .github/workflows/release.yml runs) carry what a pip user and PyPI expect."""

from __future__ import annotations

import subprocess
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
VERSION = "0.2.0"  # the release this branch prepares; gmmlib/__init__.py must say the same


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode())


def test_make_dist_builds_a_checked_wheel_and_sdist_named_for_the_version(dist):
    assert dist.wheel.name == f"gmmlib-{VERSION}-py3-none-any.whl"
    assert dist.sdist.name == f"gmmlib-{VERSION}.tar.gz"
    assert dist.log.count("PASSED") == 2, "twine check --strict should pass both files"


def test_wheel_metadata_is_what_pypi_shows(dist):
    meta = wheel_metadata(dist.wheel)
    assert meta["Name"] == "gmmlib" and meta["Version"] == VERSION
    assert meta["Requires-Python"] == ">=3.11"
    requires = meta.get_all("Requires-Dist")
    runtime = sorted(r.split(">=")[0] for r in requires if "extra ==" not in r)
    assert runtime == ["numpy", "scipy"]
    notebooks = {r.split(";")[0].split(">=")[0].strip() for r in requires if 'extra == "notebooks"' in r}
    assert {"matplotlib", "ipywidgets", "pandas", "scikit-learn", "jupytext"} <= notebooks
    assert "notebooks" in meta.get_all("Provides-Extra")
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {k.lower(): v for k, v in urls.items()} == {k.lower(): v for k, v in PROJECT["urls"].items()}
    classifiers = meta.get_all("Classifier")
    for expected in ("Programming Language :: Python :: 3.11", "Programming Language :: Python :: 3.12",
                     "Programming Language :: Python :: 3.13", "Intended Audience :: Education"):
        assert expected in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert any(c.startswith("Topic ::") for c in classifiers)
    assert meta["License-Expression"] == "MIT"
    assert meta["Description-Content-Type"] == "text/markdown"
    description = meta.get_payload()
    assert description.strip() == (ROOT / "README.pypi.md").read_text().strip()


def tracked_package_files():
    listed = subprocess.run(["git", "ls-files", "gmmlib"], cwd=ROOT, capture_output=True, text=True, check=True)
    return {name for name in listed.stdout.splitlines()}


def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(dist):
    with zipfile.ZipFile(dist.wheel) as archive:
        names = set(archive.namelist())
    package = {n for n in names if not n.startswith("gmmlib-")}
    assert package == tracked_package_files(), "subpackages or data files missing (or extra) in the wheel"
    assert not any(n.startswith(("tests/", "book/")) for n in names)


def test_the_sdist_is_the_package_without_repository_only_tests(dist):
    with tarfile.open(dist.sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert tracked_package_files() <= names
    assert not any(n.startswith(("tests", "book", "assignments", "tools", "benchmarks")) for n in names)
    assert {"LICENSE", "README.pypi.md", "pyproject.toml", "PKG-INFO"} <= names


def test_the_release_workflow_runs_make_dist_checks_the_tag_and_publishes_with_trusted_publishing():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    jobs = workflow["jobs"]
    build_steps = " ".join(str(step.get("run", "")) for step in jobs["build"]["steps"])
    assert "make dist" in build_steps and 'test "${GITHUB_REF_NAME}" = "v${version}"' in build_steps
    publish = jobs["publish"]
    assert publish["permissions"]["id-token"] == "write" and publish["environment"]["name"] == "pypi"
    assert any(str(s.get("uses", "")).startswith("pypa/gh-action-pypi-publish@") for s in publish["steps"])
    assert not any("password" in (s.get("with") or {}) for s in publish["steps"]), "trusted publishing: no token"
    release_run = " ".join(str(s.get("run", "")) for s in jobs["github-release"]["steps"])
    assert "gh release" in release_run and "dist/*" in release_run


def test_the_package_version_is_the_one_the_tests_expect():
    import gmmlib

    assert gmmlib.__version__ == VERSION
