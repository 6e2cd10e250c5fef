"""Collect the answers to an assignment's written questions into one HTML page per question.

    python tools/export_written.py NAME SUBMISSIONS OUT

NAME is an assignment folder (``assignments/NAME/NAME.md``), SUBMISSIONS a folder of submitted
notebooks (``*.ipynb``; the file stem is the submission id) and OUT the folder to write:

* ``OUT/<question>.html`` for every written (``manual: true``) question: the question, the model
  answer, then every submission's answer in turn, under its submission id, so that one grader can
  mark one question for the whole class in one sitting with the rubric of the instructor guide;
* ``OUT/written_scores.csv``: ``submission`` and one empty column per written question, to fill in.

Otter Assign marks each written question in the student notebook with the HTML comments
``<!-- BEGIN QUESTION -->`` and ``<!-- END QUESTION -->``: the first cell after the opening marker is
the prompt, the cells up to the closing marker are the student's answer (a student may add cells).
The cells are rendered by nbconvert (which otter-grader already installs) into a self-contained
page: math stays as LaTeX source unless the book build has vendored MathJax (``make book``), and
nothing is loaded from a CDN.
Students never see these pages: they hold the model answers.
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "assignments"
VENDORED_MATHJAX = ROOT / "_build" / "vendor" / "mathjax" / "es5" / "tex-mml-chtml.js"
BEGIN, END = "<!-- BEGIN QUESTION -->", "<!-- END QUESTION -->"


def written_questions(name: str) -> list[dict]:
    """The manual questions of an assignment source, in order: name, points, prompt and model answer."""
    source = SOURCES / name / f"{name}.md"
    if not source.is_file():
        raise FileNotFoundError(f"no assignment source {source}; NAME is a folder under {SOURCES}")
    questions, current, in_solution = [], None, False
    for cell in jupytext.read(source).cells:
        first = cell.source.strip().splitlines()[0].strip() if cell.source.strip() else ""
        if cell.cell_type == "raw":
            if first == "# BEGIN QUESTION":
                spec = yaml.safe_load(cell.source.split("\n", 1)[1])
                current = None
                if spec.get("manual", False):
                    current = {"name": spec["name"], "points": spec["points"], "prompt": [], "model": []}
                    questions.append(current)
            elif first == "# END QUESTION":
                current = None
            in_solution = {"# BEGIN SOLUTION": True, "# END SOLUTION": False}.get(first, in_solution)
        elif current is not None and cell.cell_type == "markdown":
            current["model" if in_solution else "prompt"].append(cell.source)
    return questions


def _neutralise_html(markdown: str) -> str:
    """Student Markdown with raw HTML shown as text, so no tag or script of theirs reaches the page."""
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", markdown)     # only a '<' that could open a tag


def submitted_answers(notebook_path: Path, n_questions: int) -> list[list[str]]:
    """The Markdown (or code) of each written answer in a submission, one list of cells per question.

    A submission whose markers were deleted or damaged gets an explanatory note instead of an answer
    for the questions that cannot be found, so that it is still listed for the grader.
    """
    notebook = nbformat.read(notebook_path, as_version=4)
    answers, current = [], None
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and BEGIN in cell.source:
            current = []                       # this cell is the prompt; the answer follows
            answers.append(current)
        elif cell.cell_type == "markdown" and END in cell.source:
            current = None
        elif current is not None:
            current.append(_neutralise_html(cell.source) if cell.cell_type == "markdown"
                           else f"```python\n{cell.source}\n```")
    missing = "*(no answer found: the question markers of this notebook were changed)*"
    return [answers[i] if i < len(answers) else [missing] for i in range(n_questions)]


STYLE = """body { font-family: sans-serif; max-width: 50em; margin: 2em auto; line-height: 1.5; }
hr { margin: 2.5em 0 1em; border: 0; border-top: 3px solid #888; }
pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }"""


def _html_page(title: str, body: str) -> str:
    """A self-contained page around nbconvert's cell HTML: no script or style from the network."""
    mathjax = ""
    if VENDORED_MATHJAX.is_file():
        mathjax = ("<script>MathJax = {tex: {inlineMath: [['$', '$']]}};</script>\n"
                   f'<script src="{VENDORED_MATHJAX.as_uri()}"></script>')
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>\n"
            f"<style>{STYLE}</style>\n{mathjax}</head>\n<body>\n{body}\n</body></html>\n")


def question_page(assignment: str, question: dict, answers: dict[str, list[str]]) -> str:
    """One HTML page: the prompt, the model answer, then each submission's answer under its id."""
    cells = [nbformat.v4.new_markdown_cell(
        f"# {assignment}, {question['name']} ({question['points']} points): written answers\n\n"
        "Grade with the rubric in the instructor guide (*Written questions and rubrics*).")]
    cells += [nbformat.v4.new_markdown_cell(text) for text in question["prompt"]]
    cells += [nbformat.v4.new_markdown_cell("## Model answer\n\n" + "\n\n".join(question["model"]))]
    for submission, texts in sorted(answers.items()):
        cells.append(nbformat.v4.new_markdown_cell(f"---\n\n## Submission `{html.escape(submission)}`"))
        cells += [nbformat.v4.new_markdown_cell(text) for text in texts]
    body, _ = HTMLExporter(template_name="basic").from_notebook_node(nbformat.v4.new_notebook(cells=cells))
    return _html_page(f"{assignment} {question['name']}: written answers", body)


def export(name: str, submissions: Path, out: Path) -> list[Path]:
    """Write the pages and the score sheet; return the paths written."""
    questions = written_questions(name)
    if not questions:
        raise ValueError(f"{name} has no written (manual: true) question to export")
    notebooks = sorted(Path(submissions).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no *.ipynb submissions in {submissions}")
    out.mkdir(parents=True, exist_ok=True)
    answers = {path.stem: submitted_answers(path, len(questions)) for path in notebooks}
    written = []
    for index, question in enumerate(questions):
        page = out / f"{question['name']}.html"
        page.write_text(question_page(name, question, {s: a[index] for s, a in answers.items()}))
        written.append(page)
    sheet = out / "written_scores.csv"
    with sheet.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission"] + [q["name"] for q in questions])
        writer.writerows([submission] + [""] * len(questions) for submission in sorted(answers))
    return written + [sheet]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="assignment folder, e.g. a5_failure_modes")
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("out", type=Path, help="folder for the pages and the score sheet")
    args = parser.parse_args(argv)
    for path in export(args.name, args.submissions, args.out):
        print(f"export_written: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
