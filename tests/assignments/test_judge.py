"""The judge's pieces on their own (fast, no notebook runs): what counts as an answer, what matches,
what the source check sees, and that a Gradescope zip whose wheel is broken stops the build."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "grading"))

import harness  # noqa: E402
import judge  # noqa: E402
from gradescope import check_installable  # noqa: E402


def round_trip(value):
    """An answer as phase 2 sees it: converted by the harness, through JSON, decoded by the judge."""
    return judge.decode(json.loads(json.dumps(harness.plain(value))))


def test_plain_answers_survive_the_round_trip():
    answer = (np.array([[1.5, -2.0]]), [3, True, None, "x"], {2: np.float64(0.25)}, np.int64(7))
    weights, items, mapping, count = round_trip(answer)
    assert weights.shape == (1, 2) and weights.dtype == np.float64 and weights[0, 1] == -2.0
    assert items == [3, True, None, "x"] and type(items[1]) is bool
    assert mapping == {2: 0.25} and count == 7 and type(count) is int


@pytest.mark.parametrize("cheat", [
    type("Yes", (float,), {"__eq__": lambda self, other: True, "__hash__": float.__hash__})(0.0),
    type("YesInt", (int,), {"__eq__": lambda self, other: True, "__hash__": int.__hash__})(3),
    np.zeros(3).view(type("YesArray", (np.ndarray,), {"__eq__": lambda self, other: True})),
    np.array([object()]),
    lambda: 1,
])
def test_anything_but_plain_data_is_refused(cheat):
    with pytest.raises(harness.InvalidAnswer):
        harness.plain(cheat)


@pytest.mark.parametrize("answer, reference, rtol, ok", [
    (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), 1e-7, True),
    (np.array([1.0, 2.0]), np.array([1.0, 2.1]), 1e-7, False),
    (np.array([[1.0, 2.0]]), np.array([1.0, 2.0]), 1e-7, False),       # shape matters
    ([0.5, 0.25], np.array([0.5, 0.25]), 1e-7, True),                  # a list of numbers is an array
    (3, 3, 1e-7, True),
    (3.0, 3, 1e-7, False),                                             # an int answer must be an int
    (True, 1, 1e-7, False),
    (None, None, 1e-7, True),
    (4, None, 1e-7, False),
    ({2: 1.0, 3: 2.0}, {2: 1.0, 3: 2.0 + 1e-12}, 1e-7, True),
    ({2: 1.0}, {2: 1.0, 3: 2.0}, 1e-7, False),
    (float("nan"), 1.0, 1e-7, False),
])
def test_matches(answer, reference, rtol, ok):
    assert judge.matches(answer, reference, rtol=rtol)[0] is ok


def notebook(*sources):
    return json.dumps({"cells": [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []}
                                 for s in sources]})


def test_source_check_follows_helpers_and_sees_evasions():
    text = notebook("import numpy as np\nimport scipy.special",
                    "def helper(a):\n    return scipy.special.logsumexp(a)\n\n"
                    "def graded(a):\n    return helper(a) + 1",
                    "def sneaky(a):\n    return getattr(__import__('gm' + 'mlib'), 'em')(a)")
    functions = judge.top_level_functions(text)
    violations, evasions = judge.source_violations(functions, "graded", ["scipy"], [])
    assert violations == ["helper uses scipy"] and not evasions
    assert judge.source_violations(functions, "graded", ["scipy"], [], provided={"helper"}) == ([], [])
    _, evasions = judge.source_violations(functions, "sneaky", ["gmmlib"], [])
    assert "sneaky uses __import__" in evasions and "sneaky uses getattr" in evasions


def test_forbid_calls_match_dotted_names():
    text = notebook("def run(X):\n    return gmmlib.em(X)\n\ndef fine(X):\n    return gmmlib.responsibilities(X)")
    functions = judge.top_level_functions(text)
    assert judge.source_violations(functions, "run", [], ["gmmlib.em"])[0] == ["run uses gmmlib.em"]
    assert judge.source_violations(functions, "fine", [], ["gmmlib.em"])[0] == []


def test_a_zip_that_cannot_install_gmmlib_stops_the_build(tmp_path):
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("requirements.txt", "numpy\n")
        archive.writestr("constraints.txt", "")
        archive.writestr("gmmlib-0.1.0-py3-none-any.whl", b"not a wheel")
    with pytest.raises((RuntimeError, zipfile.BadZipFile)):
        check_installable(broken)
    without = tmp_path / "without.zip"
    with zipfile.ZipFile(without, "w") as archive:
        archive.writestr("requirements.txt", "numpy\n")
    with pytest.raises(RuntimeError, match="exactly one gmmlib wheel"):
        check_installable(without)


