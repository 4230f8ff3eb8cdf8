"""Call functions of the target module on given inputs and report what each call gave back.

The comparison of the leading candidates (`fixloop.repair.compare`) runs this file in the
sandbox as a program of its own (it is never imported by the repair core), once per version of
the target: `python -c PROGRAM` with one JSON request on stdin
(`paths` to put first on `sys.path`, the `module` to import, the `calls` as function name,
argument and keyword-argument literals, and `seconds` per call) and one JSON line on stdout, a
`results` list with one short text per call: `= <value>; <arguments after the call>`,
`! <exception type>`, or `timeout`. Values are normalised so that equal results read alike
across processes: floats rounded to 9 significant digits (an integral float reads as an int),
sets and dict keys sorted, object addresses dropped. The user's prints go nowhere. Standard
library only; it is shipped as its own source text, so it imports nothing of fixloop.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import itertools
import json
import os
import re
import signal
import sys
from typing import Any

MAX_RESULT = 300
MAX_ITEMS = 50
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class _CallTimeout(BaseException):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise _CallTimeout()


def normal(value: Any, depth: int = 0) -> str:
    """A text for `value` that two processes write alike when the values are equal."""
    if depth > 4:
        return "..."
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)
        rounded = float(f"{value:.9g}")
        return repr(int(rounded)) if rounded.is_integer() else repr(rounded)
    if isinstance(value, (list, tuple)):
        items = [normal(item, depth + 1) for item in list(value)[:MAX_ITEMS]]
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        return opening + ", ".join(items) + closing
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(normal(item, depth + 1) for item in value)[:MAX_ITEMS]) + "}"
    if isinstance(value, dict):
        pairs = sorted(
            f"{normal(key, depth + 1)}: {normal(item, depth + 1)}" for key, item in value.items()
        )
        return "{" + ", ".join(pairs[:MAX_ITEMS]) + "}"
    try:
        text = repr(value)
    except BaseException:  # a broken __repr__ is the user's; say what it was
        text = f"<{type(value).__name__}>"
    return _ADDRESS.sub("", text)


def _call(function: Any, call: dict[str, Any], seconds: float) -> str:
    args = [ast.literal_eval(text) for text in call["args"]]
    kwargs = {name: ast.literal_eval(text) for name, text in call["kwargs"]}
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        value = function(*args, **kwargs)
        if hasattr(value, "__next__"):
            value = list(itertools.islice(value, MAX_ITEMS))  # a generator's first items
        shown = f"= {normal(value)}; {normal(args)} {normal(kwargs)}"
    except _CallTimeout:
        shown = "timeout"
    except BaseException as exc:  # the call may raise anything: that is its result
        shown = f"! {type(exc).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return shown[:MAX_RESULT]


def main() -> None:
    request = json.loads(sys.stdin.read())
    for path in reversed(request["paths"]):
        sys.path.insert(0, path)
    sys.dont_write_bytecode = True
    signal.signal(signal.SIGALRM, _on_alarm)
    answer: dict[str, Any] = {"results": []}
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        try:
            module = importlib.import_module(request["module"])
        except BaseException as exc:  # the module itself fails: no call can tell anything
            answer = {"results": [], "import_error": type(exc).__name__}
        else:
            for call in request["calls"]:
                function = getattr(module, call["function"], None)
                if not callable(function):
                    answer["results"].append("! missing")
                    continue
                answer["results"].append(_call(function, call, float(request["seconds"])))
    sys.stdout.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
