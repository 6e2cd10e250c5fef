"""The project's metadata stays consistent: conda and pip users get the same dependencies, the
project's public URLs and gmmlib's version are each written in one place, and the notebooks
extra gives everything the book's pages import.

Repository-only tests: they read the repository's files (the sdist does not ship them).
"""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


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
    """conda's dependencies and those its pip section installs (the editable gmmlib aside)."""
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    entries = [d for d in environment["dependencies"] if isinstance(d, str)]
    for section in (d for d in environment["dependencies"] if isinstance(d, dict)):
        entries.extend(e for e in section.get("pip", []) if not e.startswith("-"))
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


# ----------------------------------------------------------------------------- one public URL setting

def tracked_files():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]


def test_project_urls_name_the_book_the_source_and_the_issues():
    urls = PROJECT["urls"]
    assert set(urls) == {"Book", "Source", "Issues"}
    assert all(url.startswith("https://") for url in urls.values())
    assert urls["Issues"] == urls["Source"] + "/issues"


def test_no_file_but_pyproject_hard_codes_the_public_urls():
    """pyproject.toml's [project.urls] is the one setting; the book and the tools read it.

    README.pypi.md is the exception that must spell them out (PyPI shows it as it is);
    test_pypi_readme_links_are_the_project_urls keeps it in step.  The instructor guide's clone
    command is chapter prose (see the preface for the substituted form).
    """
    hosts = {re.sub(r"^https://", "", url).rstrip("/").split("/issues")[0] for url in PROJECT["urls"].values()}
    allowed = {"pyproject.toml", "README.pypi.md", "book/instructor_guide.md"}
    offenders = [
        f"{path.relative_to(ROOT)}: {host}"
        for path in tracked_files()
        if path.relative_to(ROOT).as_posix() not in allowed
        for host in hosts
        if host in path.read_text(encoding="utf8", errors="replace")
    ]
    assert offenders == []


def test_pypi_readme_links_are_the_project_urls():
    readme = (ROOT / "README.pypi.md").read_text()
    links = set(re.findall(r"https://[^\s)>]+", readme))
    assert links, "the PyPI description should link to the book, the source and the issues"
    assert set(PROJECT["urls"].values()) <= links
    assert links <= set(PROJECT["urls"].values()), f"links that are not project URLs: {links - set(PROJECT['urls'].values())}"
    assert "make " not in readme and "](" not in readme.replace("](https://", ""), "no make targets or relative links"


def test_the_version_is_written_once_in_gmmlib():
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    tree = ast.parse((ROOT / "gmmlib" / "__init__.py").read_text())
    versions = [ast.literal_eval(s.value) for s in tree.body
                if isinstance(s, ast.Assign) and getattr(s.targets[0], "id", "") == "__version__"]
    assert versions == ["0.2.0"]
    assert not (ROOT / "gmmlib" / "_version.py").exists()


# ----------------------------------------------------------------------------- the notebooks extra

def imported_top_level_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def book_imports():
    modules = set()
    for source in sorted((ROOT / "book").glob("*.md")):
        notebook = jupytext.read(source)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                modules |= imported_top_level_modules(cell.source)
    return modules


# import name -> distribution that provides it, for the third-party modules the book imports
DISTRIBUTION_OF = {"sklearn": "scikit-learn", "yaml": "pyyaml", "threadpoolctl": "scikit-learn"}
DEPENDENCIES_OF_THE_EXTRA = {"pyyaml": "jupytext"}  # yaml comes with jupytext


def test_the_notebooks_extra_gives_every_module_the_book_imports():
    provided = {_parse(r)[0] for r in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["notebooks"]}
    third_party = {m for m in book_imports() if m not in sys.stdlib_module_names and m != "gmmlib"}
    assert {"pandas", "sklearn", "jupytext"} <= third_party, "the book's imports were not found"
    # pandas' optional jinja2 is imported by DataFrame.style, not by an import statement
    assert "jinja2" in provided or ".style." not in "".join(p.read_text() for p in (ROOT / "book").glob("*.md"))
    missing = []
    for module in sorted(third_party):
        distribution = DISTRIBUTION_OF.get(module, module)
        distribution = DEPENDENCIES_OF_THE_EXTRA.get(distribution, distribution)
        if distribution not in provided:
            missing.append(f"{module} ({distribution})")
    assert missing == [], "add these to the notebooks extra in pyproject.toml"


def test_install_hints_name_the_notebooks_extra_not_the_book_stack():
    hints = [path for path in (ROOT / "gmmlib").rglob("*.py") if "gmmlib[book]" in path.read_text()]
    assert hints == []
    assert "gmmlib[notebooks]" in (ROOT / "gmmlib" / "datasets.py").read_text()


def test_every_extra_dependency_is_pinned_in_constraints():
    pinned = {_parse(line.split("==")[0])[0] for line in (ROOT / "constraints.txt").read_text().splitlines()
              if line and not line.startswith("#")}
    wanted = {_parse(r)[0] for extra in PROJECT["optional-dependencies"].values() for r in extra}
    assert wanted - pinned == set(), "pin these in constraints.txt (make constraints)"
