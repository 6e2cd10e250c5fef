"""Phase 1 of grading: run a submission and record its answers as plain data.  Student code runs here.

    python -I harness.py SUBMISSION.ipynb CASES.json ANSWERS.json   (the nonce is read from stdin)

This file is copied into a fresh grading folder that holds only the submission and the cases (the
inputs of every judge case, never the reference values), and runs there in a sandboxed, time-limited
process (see ``grade.py``).  It

1. reads the cases and evaluates every case's inputs *before* any student code runs;
2. notes the identity of every function in numpy, json, builtins and gmmlib (the canaries);
3. executes the notebook's code cells in an IPython shell, one by one: an error in one cell is
   recorded and the next cell still runs;
4. calls, for every case, the named student function on a fresh copy of its inputs (or reads the
   named variable), and converts the result to plain data: bool, int, float, str, None, lists,
   string/int-keyed dicts and numeric numpy arrays of *exactly* these types.  Anything else (a
   subclass of int, float or ndarray, an object with its own ``__eq__``) is an invalid answer.  An
   exception costs only its case.  Calls of a question with ``forbid_imports`` run under a profiler
   that records any call into those packages;
5. runs otter's public tests (``tests/``), keeping only "passed"/"failed" per question;
6. writes the answers, the canaries that changed, and the cells' errors as JSON.

Nothing here decides a score: phase 2 (``judge.py``) compares the answers with the references in a
process in which no student code ever ran.
"""

import builtins
import copy
import io
import json
import os
import sys
import threading
import traceback
import types

import numpy as np

# Captured before any student code runs: what the harness itself relies on.
_open, _dumps, _loads, _deepcopy = io.open, json.dumps, json.loads, copy.deepcopy
_setprofile, _getprofile, _thread_setprofile = sys.setprofile, sys.getprofile, threading.setprofile
_ndarray, _generic, _isinstance, _type, _repr = np.ndarray, np.generic, isinstance, type, repr
_exit = os._exit
_stderr = sys.stderr
CELL_FILENAME = "<ipython-input-"     # how IPython names the code of a notebook cell

MAX_ITEMS = 1_000_000          # numbers in one answer; more is not an answer to any of our questions
CANARY_MODULES = ("builtins", "json", "json.encoder", "copy", "io", "math", "numpy", "numpy.linalg",
                  "numpy.random", "numpy.testing", "numpy.core.numeric", "numpy.lib.npyio",
                  "gmmlib", "gmmlib.datasets", "otter", "otter.check.notebook", "otter.test_files",
                  "otter.test_files.abstract_test", "otter.test_files.ok_test")
IGNORED_BUILTINS = {"_", "__", "___", "display", "get_ipython", "__IPYTHON__", "exit", "quit",
                    "__spec__", "__loader__", "copyright", "credits", "license", "help"}


class InvalidAnswer(Exception):
    """A value that is not plain data."""


def plain(value, budget=None):
    """``value`` as plain JSON-able data, tagged so that phase 2 can rebuild arrays and dicts."""
    budget = budget if budget is not None else [MAX_ITEMS]
    kind = _type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int or kind is float:
        return value
    if _isinstance(value, _generic) and kind in (np.float64, np.float32, np.float16, np.int64,
                                                 np.int32, np.int16, np.int8, np.uint8, np.uint16,
                                                 np.uint32, np.uint64, np.bool_):
        return plain(value.item(), budget)
    if kind is _ndarray:
        if value.dtype.kind not in "biuf":
            raise InvalidAnswer(f"an array of dtype {value.dtype} (numbers or booleans expected)")
        budget[0] -= value.size
        if budget[0] < 0:
            raise InvalidAnswer("an answer with more than a million numbers")
        return {"ndarray": value.ravel().tolist(), "kind": value.dtype.kind, "shape": list(value.shape)}
    if kind is list or kind is tuple:
        budget[0] -= len(value)
        if budget[0] < 0:
            raise InvalidAnswer("an answer with more than a million items")
        return {"list": [plain(item, budget) for item in value]}
    if kind is dict:
        items = []
        for key, item in value.items():
            if _type(key) not in (str, int, bool, float) and not _isinstance(key, _generic):
                raise InvalidAnswer(f"a dict key of type {_type(key).__name__}")
            items.append([plain(key, budget), plain(item, budget)])
        return {"dict": items}
    raise InvalidAnswer(f"a value of type {kind.__module__}.{kind.__qualname__}; return numbers, "
                        "numpy arrays, lists, tuples or dicts of them")


def snapshot():
    """``{"module.attr": id(obj)}`` for every attribute of the canary modules and their classes."""
    ids = {}
    for module_name in CANARY_MODULES:
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for attr, obj in list(vars(module).items()):
            ids[f"{module_name}.{attr}"] = id(obj)
            if _isinstance(obj, type) and obj.__module__.startswith(("gmmlib", "otter")):
                for method, member in list(vars(obj).items()):
                    ids[f"{module_name}.{attr}.{method}"] = id(member)
    return ids


def changed(before, after):
    """Canary names whose object was replaced or removed (names added by IPython are ignored)."""
    return sorted(name for name, ident in before.items()
                  if after.get(name) != ident
                  and not (name.startswith("builtins.") and name.split(".", 1)[1] in IGNORED_BUILTINS))


def evaluate_inputs(cases, scope):
    """Every case's (args, kwargs, provide) evaluated now, before student code; errors per case."""
    inputs = []
    for case in cases:
        try:
            if case["kind"] == "variable" or case.get("expression"):
                args, kwargs = (), {}
            else:
                args = eval(f"({case['args']},)" if case["args"].strip() else "()", dict(scope))
                kwargs = eval(case["kwargs"] or "{}", dict(scope))
            provide = {name: eval(expr, dict(scope)) for name, expr in case.get("provide", {}).items()}
            inputs.append((args, kwargs, provide, None))
        except Exception as exc:  # a broken case is the author's bug: reported, costs nobody points
            inputs.append(((), {}, {}, f"case inputs failed: {exc!r}"))
    return inputs


def package_dirs(names):
    """The folders of the packages ``names`` (not imported: their spec is enough)."""
    import importlib.util
    folders = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders.extend(os.path.join(path, "") for path in spec.submodule_search_locations)
    return tuple(folders)


def run_notebook(shell, path):
    """Execute every code cell; return ``[(cell index, error)]``."""
    with _open(path, encoding="utf-8") as handle:
        notebook = _loads(handle.read())
    errors = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if _isinstance(source, list) else source
        result = shell.run_cell(source, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            errors.append((index, f"{_type(error).__name__}: {error}"))
    return errors


def _called_from(frame, codes):
    """Whether one of the frames that led to ``frame`` runs one of ``codes`` (a provided reference)."""
    while frame is not None and codes:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def call_case(case, inputs, namespace, forbidden_dirs, tampering):
    """The plain answer of one case: ``{"value": ...}`` or ``{"error": ...}``."""
    args, kwargs, provide, input_error = inputs
    if input_error:
        return {"error": input_error}
    name = case["name"]
    if name not in namespace:
        return {"error": f"NameError: {name} is not defined"}
    if case["kind"] == "variable":
        try:
            return {"value": plain(namespace[name])}
        except InvalidAnswer as exc:
            return {"error": f"invalid answer: {exc}"}
    function = namespace[name]
    from_notebook = (_type(function) is types.FunctionType
                     and function.__code__.co_filename.startswith(CELL_FILENAME))
    saved = {key: namespace[key] for key in provide if key in namespace}
    namespace.update(provide)
    used_forbidden = []
    provided_code = {getattr(value, "__code__", None) for value in provide.values()} - {None}

    def profiler(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(forbidden_dirs):
            if not _called_from(frame, provided_code):
                used_forbidden.append(frame.f_code.co_filename)

    try:
        if case.get("seed_before_call") is not None:
            np.random.seed(case["seed_before_call"])
        if forbidden_dirs:
            _setprofile(profiler)
            _thread_setprofile(profiler)
        if case.get("expression"):
            scope = {"np": np, "f": function, "rng": lambda seed: np.random.default_rng(seed),
                     "gmmlib": sys.modules.get("gmmlib")}
            result = eval(case["expression"], scope)
        else:
            result = function(*_deepcopy(args), **_deepcopy(kwargs))
        if forbidden_dirs and _getprofile() is not profiler:
            tampering.append(f"{name}: switched off the profiler that checks forbidden imports")
        _setprofile(None)
        _thread_setprofile(None)
        if used_forbidden:
            return {"error": f"forbidden: uses {sorted(set(used_forbidden))[0]}", "forbidden": True,
                    "from_notebook": from_notebook}
        return {"value": plain(result), "from_notebook": from_notebook}
    except InvalidAnswer as exc:
        return {"error": f"invalid answer: {exc}", "from_notebook": from_notebook}
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code included
        _setprofile(None)
        return {"error": f"{_type(exc).__name__}: {exc}"[:500], "from_notebook": from_notebook}
    finally:
        _setprofile(None)
        _thread_setprofile(None)
        for key in provide:
            namespace.pop(key, None)
        namespace.update(saved)


def public_tests(questions, namespace):
    """``{question: "passed" | "failed" | "not run"}`` from otter's public tests in ``tests/``.

    Only these fixed words leave phase 1 for the student's feedback: a submission cannot smuggle
    text (hidden inputs, say) into what students see.
    """
    results = {}
    if not os.path.isdir("tests"):
        return {q: "not run" for q in questions}
    try:
        import otter
        grader = otter.Notebook(tests_dir="tests")
    except Exception:
        return {q: "not run" for q in questions}
    for question in questions:
        try:
            result = grader.check(question, global_env=namespace)
            results[question] = "passed" if result.passed_all is True else "failed"
        except BaseException:
            results[question] = "failed"
    return results


def main(argv):
    submission, cases_path, answers_path = argv[1:4]
    nonce = sys.stdin.readline().strip()
    with _open(cases_path, encoding="utf-8") as handle:
        spec = _loads(handle.read())
    os.remove(cases_path)      # in memory now; nothing of the hidden inputs stays on disk
    scope = {"np": np, "rng": lambda seed: np.random.default_rng(seed), "__builtins__": builtins}
    try:
        import gmmlib  # noqa: F401  (inputs such as fitted models are built with it)
        import gmmlib.datasets
        scope["gmmlib"] = gmmlib
    except ImportError:
        pass
    questions = spec["questions"]
    inputs = {q: evaluate_inputs(info["cases"], scope) for q, info in questions.items()}

    try:
        import otter  # noqa: F401  (imported now, so that its canaries are in place before student code)
        import otter.test_files.abstract_test  # noqa: F401
    except ImportError:
        pass
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    sys.stdout = sys.stderr = _open(os.devnull, "w")   # student output is not kept (nor its size)
    before = snapshot()
    cell_errors = run_notebook(shell, submission)
    namespace = shell.user_ns
    tampering = []
    answers = {}
    for question, info in questions.items():
        forbidden_dirs = package_dirs(info.get("forbid_imports", []))
        answers[question] = [call_case(case, case_inputs, namespace, forbidden_dirs, tampering)
                             for case, case_inputs in zip(info["cases"], inputs[question])]
    tampering.extend(f"replaced {name}" for name in changed(before, snapshot()))
    public = public_tests([q for q, info in questions.items() if not info["manual"]], namespace)
    if not _isinstance(__debug__, bool) or not __debug__:
        tampering.append("assert statements were switched off")
    report = {"nonce": nonce, "answers": answers, "cell_errors": cell_errors, "tampering": tampering,
              "public_tests": public}
    with _open(answers_path, "w", encoding="utf-8") as handle:
        handle.write(_dumps(report))
    sys.stdout.flush()
    _exit(0)   # at once: no student atexit hook or thread runs after the answers are written


if __name__ == "__main__":
    try:
        main(sys.argv)
    except BaseException:
        try:
            traceback.print_exc(file=_stderr)
        finally:
            _exit(3)
