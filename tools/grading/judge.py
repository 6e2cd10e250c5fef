"""Phase 2 of grading: compare a submission's answers with the references.  No student code runs here.

``score_submission(spec, references, report, notebook_text)`` takes

* ``spec``        the judge specification (``spec.judge_spec``: questions, points, cases),
* ``references``  the solution's answers, recorded by ``harness.py`` when the assignment was built,
* ``report``      the submission's answers, recorded by ``harness.py`` in the sandbox (untrusted
                  JSON: only parsed, never executed),
* ``notebook_text`` the submission as handed in (its source is read with ``ast``, never run),

and returns the score of every question: points x the fraction of its cases whose answer matches
the reference (``rtol``/``atol`` as in ``numpy.isclose``; shapes, lengths, keys and exact types of
integers, booleans, strings and None must agree).  It also lists what flags the submission for the
instructor: canaries the harness saw replaced, source that evades a ``forbid_imports`` rule
(``__import__``, ``importlib``, ``exec``, ``getattr`` ...), and a report that is not the harness's.
"""

from __future__ import annotations

import ast
import json
import math

import numpy as np

EVASIONS = {"__import__", "importlib", "exec", "eval", "compile", "getattr", "globals", "locals",
            "vars", "__builtins__", "builtins", "__dict__", "sys", "setattr", "__getattribute__",
            "subprocess", "os", "runpy", "pickle", "ctypes"}


class MalformedReport(ValueError):
    """The answers file was not written by the harness."""


def decode(tagged):
    """Rebuild a value written by ``harness.plain``; raise MalformedReport on anything else."""
    if tagged is None or type(tagged) in (bool, int, float, str):
        return tagged
    if type(tagged) is not dict or len(tagged) not in (1, 3):
        raise MalformedReport(f"unexpected item {str(tagged)[:80]}")
    if "list" in tagged:
        return [decode(item) for item in tagged["list"]]
    if "dict" in tagged:
        return {_key(decode(k)): decode(v) for k, v in tagged["dict"]}
    if "ndarray" in tagged:
        dtype = {"b": bool, "i": np.int64, "u": np.uint64, "f": np.float64}[tagged["kind"]]
        data = tagged["ndarray"]
        if not all(type(x) in (bool, int, float) for x in data):
            raise MalformedReport("an array with non-numbers")
        return np.array(data, dtype=dtype).reshape(tagged["shape"])
    raise MalformedReport(f"unexpected item {str(tagged)[:80]}")


def _key(key):
    return key.item() if isinstance(key, np.generic) else key


def _is_number(value):
    return type(value) in (int, float) or (isinstance(value, np.ndarray) and value.dtype.kind in "iuf")


def _numbers_list(value):
    return isinstance(value, list) and value and all(_is_number(item) for item in value) \
        and all(not isinstance(item, np.ndarray) or item.ndim == 0 for item in value)


def matches(answer, reference, rtol=1e-7, atol=0.0, compare="values") -> tuple[bool, str]:
    """Whether ``answer`` agrees with ``reference``; the reason when it does not."""
    if isinstance(reference, np.ndarray) or (_numbers_list(reference) and isinstance(answer, np.ndarray)):
        return _arrays_match(answer, reference, rtol, atol, compare)
    if isinstance(answer, np.ndarray) and _numbers_list(reference):
        return _arrays_match(answer, reference, rtol, atol, compare)
    if compare == "shape_only":
        return (type(answer) is type(reference), "a different kind of value")
    if type(reference) is float:
        if type(answer) not in (int, float):
            return False, f"expected a number, got {type(answer).__name__}"
        if math.isnan(reference) or math.isnan(answer):
            return (math.isnan(reference) and math.isnan(answer)), "nan where a number was expected"
        return (math.isclose(answer, reference, rel_tol=rtol, abs_tol=atol) or answer == reference,
                "a different number")
    if type(reference) in (bool, int, str) or reference is None:
        if type(answer) is not type(reference):
            return False, f"expected a {type(reference).__name__}, got {type(answer).__name__}"
        return answer == reference, "a different value"
    if isinstance(reference, list):
        if not isinstance(answer, list) or len(answer) != len(reference):
            return False, f"expected a sequence of length {len(reference)}"
        for item, expected in zip(answer, reference):
            ok, why = matches(item, expected, rtol, atol, compare)
            if not ok:
                return False, why
        return True, ""
    if isinstance(reference, dict):
        if not isinstance(answer, dict) or set(answer) != set(reference):
            return False, "expected a dict with other keys"
        for key, expected in reference.items():
            ok, why = matches(answer[key], expected, rtol, atol, compare)
            if not ok:
                return False, why
        return True, ""
    return False, f"cannot compare with a {type(reference).__name__}"


def _arrays_match(answer, reference, rtol, atol, compare):
    if not (isinstance(answer, np.ndarray) or _numbers_list(answer) or type(answer) in (int, float)):
        return False, "expected an array of numbers"
    answer, reference = np.asarray(answer), np.asarray(reference)
    if answer.shape != reference.shape:
        return False, f"shape {answer.shape}, expected {reference.shape}"
    if compare == "shape_only":
        return True, ""
    if reference.dtype.kind in "biu" and answer.dtype.kind in "biu":
        return bool(np.array_equal(answer, reference)), "different values"
    if answer.dtype.kind == "b" or reference.dtype.kind == "b":
        return False, "booleans where numbers were expected (or the other way round)"
    ok = np.allclose(answer.astype(float), reference.astype(float), rtol=rtol, atol=atol, equal_nan=True)
    return bool(ok), "different values"


# --- the source checks: the submission's code is parsed, never run --------------------------------

def top_level_functions(notebook_text: str) -> dict[str, ast.FunctionDef]:
    """Every top-level ``def`` in the notebook's code cells (the last definition of a name wins)."""
    notebook = json.loads(notebook_text)
    functions = {}
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[node.name] = node
    return functions


def _names_used(node) -> set[str]:
    """Every name, attribute, imported module and dotted name (``gmmlib.em``) in ``node``."""
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)
            dotted = _dotted(child)
            if dotted:
                names.add(dotted)
        elif isinstance(child, ast.Import):
            for alias in child.names:
                names.update(alias.name.split("."))
        elif isinstance(child, ast.ImportFrom) and child.module:
            names.update(child.module.split("."))
            names.update(f"{child.module}.{alias.name}" for alias in child.names)
            names.update(alias.name for alias in child.names)
    return names


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def source_violations(functions, name, forbid_imports, forbid_calls, provided=()) -> tuple[list[str], list[str]]:
    """(rule violations, evasions) in ``name`` and every notebook function it uses, transitively.

    Functions the case ``provided`` (references standing in for other questions) are not followed.
    """
    forbidden = set(forbid_imports) | set(forbid_calls)
    seen, todo, violations, evasions = set(provided), [name], [], []
    while todo:
        current = todo.pop()
        if current in seen or current not in functions:
            continue
        seen.add(current)
        used = _names_used(functions[current])
        violations += [f"{current} uses {word}" for word in sorted(used & forbidden)]
        evasions += [f"{current} uses {word}" for word in sorted(used & EVASIONS)]
        todo.extend(used & set(functions))
    return violations, evasions


# --- scoring ---------------------------------------------------------------------------------------

def score_submission(spec: dict, references: dict, report: dict, notebook_text: str,
                     nonce: str | None = None) -> dict:
    """``{"questions": {q: {"score", "max_score", "passed", "cases", "notes"}}, "flags": [...]}``."""
    flags = [f"tampering: {item}" for item in report.get("tampering", [])]
    if nonce is not None and report.get("nonce") != nonce:
        flags.append("the answers file was not written by this grading run's harness")
    functions = top_level_functions(notebook_text)
    results = {}
    for question, info in spec["questions"].items():
        if info["manual"]:
            results[question] = {"score": None, "max_score": info["points"], "manual": True}
            continue
        answers = report.get("answers", {}).get(question)
        expected = references["answers"][question]
        if not isinstance(answers, list) or len(answers) != len(info["cases"]):
            raise MalformedReport(f"{question}: {len(info['cases'])} answers expected")
        rules = info["forbid_imports"] or info["forbid_calls"]
        names = {case["name"] for case in info["cases"] if case["kind"] == "function"}
        provided = {name for case in info["cases"] for name in case["provide"]}
        violations, evasions = [], []
        if rules:
            for function in sorted(names):
                found, evaded = source_violations(functions, function, info["forbid_imports"],
                                                  info["forbid_calls"], provided)
                violations += found
                evasions += evaded
        if rules:
            evasions += sorted({f"{case['name']} is not a function defined in a notebook cell (exec, "
                                f"an import or an assignment?), so its source cannot be checked"
                                for case, answer in zip(info["cases"], answers)
                                if case["kind"] == "function" and type(answer) is dict
                                and answer.get("from_notebook") is False})
        flags += [f"{question}: evades the source check ({item})" for item in evasions]
        passed, notes = 0, list(violations)
        for case, answer, reference in zip(info["cases"], answers, expected):
            if "value" not in reference:
                raise ValueError(f"{question}: the solution has no answer for {case['name']}: "
                                 f"{reference.get('error')}")
            if type(answer) is not dict:
                raise MalformedReport(f"{question}: an answer is not a mapping")
            if "value" not in answer:
                notes.append(f"{case['name']}: {answer.get('error', 'no answer')}")
                continue
            ok, why = matches(decode(answer["value"]), decode(reference["value"]),
                              case["rtol"], case["atol"], case["compare"])
            passed += ok
            if not ok:
                notes.append(f"{case['name']}: {why}")
        fraction = 0.0 if violations or evasions else passed / len(info["cases"])
        results[question] = {"score": round(info["points"] * fraction, 4), "max_score": info["points"],
                             "passed": passed, "cases": len(info["cases"]), "notes": notes}
    return {"questions": results, "flags": flags}
