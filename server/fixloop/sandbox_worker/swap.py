"""Putting a candidate in place of the target module inside a collected session (forked child).

The session imported the target once; test modules hold its functions (`from pkg.mod import
f`), conftest and fixtures hold it, parametrize lists were built. `SwapPlan.build` looks at all
that once, in the worker; `SwapPlan.apply` then swaps one candidate in, in a forked child:

- "patched": when the candidate differs from the original only inside function bodies
  (module-level and methods of classes, at any class depth), every function object gets the
  candidate's code in place (`f.__code__ = ...`). Identity is kept, so every reference sees
  the candidate: `import mod` and `from mod import f` users, fixtures, closures, lists of
  functions, bound methods, decorator wrappers (found through `__wrapped__`, `property`,
  `staticmethod`, `classmethod`). Not when a changed function ran during configuration or
  collection (a value computed from it is stale): then the module is re-executed if it ran
  during the target's own import, else the swap is refused.
- "reexec": otherwise (a constant, an import, a decorator, a class attribute changed), the
  candidate is executed into the existing module object, whose namespace is emptied first, and
  every name of other project modules that referred to an object of the old module is rebound
  to the new one; old function objects still referenced elsewhere get the new code. Refused
  (see `reexec_blocker`) when target code ran during collection outside its own import, when
  the target's import runs code of other project files (a side effect that running it twice
  would repeat), when a class of the target has subclasses elsewhere, or when collected
  parameters or test classes hold objects of the target.
Not covered, in either mode: instances of target classes created outside the target before
the swap (they keep the old class after a re-execution), objects of the target held by
containers of other modules other than module namespaces (a registry dict), and state the
original's code left behind in other modules while collecting. A refused swap raises
`Unfaithful`, and the child runs a full pytest instead. Standard library only.
"""

from __future__ import annotations

import inspect
import linecache
import os
import sys
from collections.abc import Iterable, Iterator
from types import CodeType, FunctionType, ModuleType
from typing import Any, Literal

from .calls import CallWatch, is_project_file

DefPath = tuple[str, ...]
# Values that many modules may share by coincidence (small ints, interned strings): a name
# bound to one of these is rebound only when it has the target's own name.
SHARED_TYPES = (int, float, complex, str, bytes, bool, type(None), tuple, frozenset)
KEPT_DUNDERS = (
    "__name__",
    "__file__",
    "__spec__",
    "__loader__",
    "__package__",
    "__path__",
    "__builtins__",
    "__cached__",
)


UNWATCHED = "another tool replaced the watch on what ran while pytest collected"


class Unfaithful(Exception):
    """This candidate cannot be swapped in faithfully; run it the slow, exact way."""


def _function_codes(code: CodeType, prefix: DefPath = ()) -> Iterator[tuple[DefPath, CodeType]]:
    """(path, code) of the functions defined at module level or in class bodies (at any class
    depth), in the order the compiler emitted them; a path is the class names, then the name."""
    for const in code.co_consts:
        if isinstance(const, CodeType):
            if const.co_flags & inspect.CO_NEWLOCALS:
                yield (*prefix, const.co_name), const
            else:  # a class body: the functions it defines are its methods
                yield from _function_codes(const, (*prefix, const.co_name))


def _nested_lines(code: CodeType) -> Iterator[int]:
    """First lines of `code` and of every code object inside it (nested functions, lambdas)."""
    yield code.co_firstlineno
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _nested_lines(const)


def shape(code: CodeType) -> tuple[Any, ...]:
    """What executing the module does, function bodies aside: its bytecode, names and
    constants, with each function reduced to its signature (class bodies recursively)."""
    consts: list[Any] = []
    for const in code.co_consts:
        if not isinstance(const, CodeType):
            consts.append((type(const).__name__, repr(const)))
        elif const.co_flags & inspect.CO_NEWLOCALS:
            consts.append(
                (
                    const.co_name,
                    const.co_argcount,
                    const.co_posonlyargcount,
                    const.co_kwonlyargcount,
                    const.co_flags,
                    const.co_freevars,
                )
            )
        else:
            consts.append(shape(const))
    return (
        code.co_code,
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        code.co_flags,
        getattr(code, "co_exceptiontable", b""),
        tuple(consts),
    )


def same_code(a: CodeType, b: CodeType) -> bool:
    """Same behaviour, line numbers aside."""
    if (
        a.co_code != b.co_code
        or a.co_names != b.co_names
        or a.co_varnames != b.co_varnames
        or a.co_freevars != b.co_freevars
        or a.co_cellvars != b.co_cellvars
        or a.co_flags != b.co_flags
        or getattr(a, "co_exceptiontable", b"") != getattr(b, "co_exceptiontable", b"")
        or len(a.co_consts) != len(b.co_consts)
    ):
        return False
    for x, y in zip(a.co_consts, b.co_consts, strict=True):
        if isinstance(x, CodeType) and isinstance(y, CodeType):
            if not same_code(x, y):
                return False
        elif type(x) is not type(y) or repr(x) != repr(y):
            return False
    return True


def _functions_behind(value: Any) -> Iterator[FunctionType]:
    """The plain functions a module or class attribute stands for (through wrappers)."""
    seen = 0
    pending = [value]
    while pending and seen < 20:
        seen += 1
        current = pending.pop()
        if isinstance(current, FunctionType):
            yield current
        if isinstance(current, (staticmethod, classmethod)):
            pending.append(current.__func__)
        elif isinstance(current, property):
            pending += [f for f in (current.fget, current.fset, current.fdel) if f is not None]
        wrapped = getattr(current, "__wrapped__", None) if not isinstance(current, type) else None
        if wrapped is not None:
            pending.append(wrapped)


def _live_function(module: ModuleType, path: DefPath, code: CodeType) -> FunctionType | None:
    """The function object the session holds for the definition `code` at `path`, matched by
    its code's name and first line (a property's getter and setter share one name)."""
    holder: Any = module
    for name in path[:-1]:
        holder = vars(holder).get(name)
        if not isinstance(holder, type):
            return None
    for function in _functions_behind(vars(holder).get(path[-1])):
        live = function.__code__
        if live.co_name == code.co_name and live.co_firstlineno == code.co_firstlineno:
            return function
    return None


SwapResult = Literal["patched", "reexec"]


class SwapPlan:
    def __init__(
        self,
        path: str,
        text: str,
        modules: list[ModuleType],
        watch: CallWatch,
        items: Iterable[Any] = (),
    ) -> None:
        self.path = path  # the file name the target's code objects carry
        self.text = text
        self.modules = modules
        code = compile(text, path, "exec", dont_inherit=True)
        self.shape = shape(code)
        defs = list(_function_codes(code))
        self.paths = [path for path, _ in defs]
        self.old_codes = [old for _, old in defs]
        # One list of function objects per module object that holds the target (usually one).
        self.functions = [[_live_function(m, p, c) for p, c in defs] for m in modules]
        owner = {line: index for index, (_, c) in enumerate(defs) for line in _nested_lines(c)}
        self.watched = watch.complete
        self.ran_at_import = {owner[line] for line in watch.at_import if line in owner}
        self.ran_elsewhere = {
            owner[line]: where for line, where in watch.elsewhere.items() if line in owner
        }
        self.bindings = self._bindings()
        self.reexec_blocker = self._reexec_blocker(watch, items)

    @classmethod
    def build(
        cls, target: str, text: str, watch: CallWatch, items: Iterable[Any]
    ) -> SwapPlan | None:
        """The plan for the target file `target` (absolute); None when the session never
        imported it (the candidate then reaches the tests through the import overlay)."""
        real = os.path.realpath(target)
        modules = []
        for module in list(sys.modules.values()):
            file = getattr(module, "__file__", None)
            if isinstance(file, str) and os.path.realpath(file) == real:
                modules.append(module)
        if not modules:
            return None
        spec = getattr(modules[0], "__spec__", None)
        path = getattr(spec, "origin", None) or modules[0].__file__ or target
        return cls(path, text, modules, watch, items)

    def _bindings(self) -> list[tuple[int, dict[str, Any], str, str]]:
        """(module index, namespace, name there, name in the target) for every name of another
        project module bound to an object of the target, as `from mod import f` leaves it."""
        found = []
        own = {id(m) for m in self.modules}
        for index, module in enumerate(self.modules):
            exported = {
                id(value): name
                for name, value in vars(module).items()
                if not name.startswith("__") and not isinstance(value, ModuleType)
            }
            for other in list(sys.modules.values()):
                file = getattr(other, "__file__", None)
                if id(other) in own or not isinstance(file, str) or not is_project_file(file):
                    continue
                namespace = vars(other)
                for name, value in list(namespace.items()):
                    target_name = exported.get(id(value))
                    if target_name is None:
                        continue
                    if target_name == name or not isinstance(value, SHARED_TYPES):
                        found.append((index, namespace, name, target_name))
        return found

    def _reexec_blocker(self, watch: CallWatch, items: Iterable[Any]) -> str:
        if not watch.complete:
            return UNWATCHED
        if watch.elsewhere:
            names = sorted({self.paths[i][-1] for i in self.ran_elsewhere}) or ["target code"]
            callers = sorted(set(watch.elsewhere.values()))
            return f"{', '.join(names)} ran while pytest collected (from {', '.join(callers)})"
        if watch.side_effects:
            return f"importing the target runs code of {', '.join(sorted(watch.side_effects))}"
        owned = self._owned_objects()
        for cls in (value for value in owned if isinstance(value, type)):
            subclasses: list[type] = cls.__subclasses__()
            for sub in subclasses:
                if sub.__module__ not in {m.__name__ for m in self.modules}:
                    return f"{sub.__module__}.{sub.__name__} subclasses {cls.__name__}"
        held = self._held_elsewhere(owned, items)
        return f"{held} holds objects of the target" if held else ""

    def _owned_objects(self) -> list[Any]:
        names = {m.__name__ for m in self.modules}
        owned = []
        for module in self.modules:
            for value in vars(module).values():
                owner = getattr(value, "__module__", None)
                if isinstance(owner, str) and owner in names:
                    owned.append(value)
        return owned

    def _held_elsewhere(self, owned: list[Any], items: Iterable[Any]) -> str:
        """Where collection kept objects of the target, or instances of its classes, outside
        module namespaces: parameters of collected items and attributes of test classes, and
        one level into the lists, tuples, sets and dicts among them."""
        ids = {id(value) for value in owned}

        def ours(value: Any) -> bool:
            """An object of the target, or an instance of one of its classes."""
            return id(value) in ids or id(type(value)) in ids

        def holds(values: Iterable[Any]) -> bool:
            for value in values:
                if ours(value):
                    return True
                if isinstance(value, (list, tuple, set, frozenset)):
                    if any(ours(inner) for inner in value):
                        return True
                elif isinstance(value, dict) and any(ours(inner) for inner in value.values()):
                    return True
            return False

        for item in items:
            params = getattr(getattr(item, "callspec", None), "params", {})
            if holds(params.values()):
                return f"the parameters of {item.nodeid}"
            cls = getattr(item, "cls", None)
            if cls is not None and holds(vars(cls).values()):
                return f"test class {cls.__name__}"
        return ""

    def apply(self, text: str) -> SwapResult:
        """Put `text` in place of the target; raises `Unfaithful` when that cannot be faithful
        (the module is then possibly half-changed: the caller must not run the session)."""
        try:
            code = compile(text, self.path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            raise Unfaithful(f"the candidate does not compile: {exc}") from exc
        # Tracebacks and pytest's source look-ups show the candidate, as a fresh run would.
        linecache.cache[self.path] = (len(text), None, text.splitlines(True), self.path)
        defs = list(_function_codes(code))
        if shape(code) == self.shape:
            patches = self._patches([new for _, new in defs])
            if patches is not None:
                for function, new_code in patches:
                    function.__code__ = new_code
                return "patched"
        self._reexec(code, defs)
        return "reexec"

    def _patches(self, wanted: list[CodeType]) -> list[tuple[FunctionType, CodeType]] | None:
        """Function objects and their new code; None when only re-execution can be faithful."""
        patches = []
        for index, new_code in enumerate(wanted):
            changed = not same_code(self.old_codes[index], new_code)
            if changed and not self.watched:
                raise Unfaithful(UNWATCHED)
            if changed and index in self.ran_elsewhere:
                raise Unfaithful(
                    f"{self.paths[index][-1]} changed and ran while pytest collected "
                    f"(from {self.ran_elsewhere[index]})"
                )
            if changed and index in self.ran_at_import:
                return None  # a value the module computed with it at import must be recomputed
            for functions in self.functions:
                function = functions[index]
                if function is None:
                    if changed:
                        return None
                    continue
                if len(function.__code__.co_freevars) != len(new_code.co_freevars):
                    return None
                patches.append((function, new_code))
        return patches

    def _reexec(self, code: CodeType, defs: list[tuple[DefPath, CodeType]]) -> None:
        if self.reexec_blocker:
            raise Unfaithful(f"module-level change, and {self.reexec_blocker}")
        for module in self.modules:
            namespace = vars(module)
            kept = {name: namespace[name] for name in KEPT_DUNDERS if name in namespace}
            # A package keeps its imported submodules, as the import system set them on it.
            prefix = module.__name__ + "."
            kept.update(
                (name, value)
                for name, value in namespace.items()
                if isinstance(value, ModuleType) and value.__name__.startswith(prefix)
            )
            namespace.clear()
            namespace.update(kept)
            try:
                exec(code, namespace)
            except BaseException as exc:  # the candidate's import-time code may raise anything
                raise Unfaithful(f"the candidate raises on import: {type(exc).__name__}") from exc
        for index, namespace, name, target_name in self.bindings:
            new = vars(self.modules[index])
            if target_name not in new:
                raise Unfaithful(f"the candidate no longer defines {target_name}")
            namespace[name] = new[target_name]
        # Old functions still held elsewhere (a list, a closure) run the candidate's code too,
        # when the candidate's functions line up with the original's by name.
        if [path for path, _ in defs] == self.paths:
            for functions in self.functions:
                for function, (_, new_code) in zip(functions, defs, strict=True):
                    if function is not None and len(function.__code__.co_freevars) == len(
                        new_code.co_freevars
                    ):
                        function.__code__ = new_code
