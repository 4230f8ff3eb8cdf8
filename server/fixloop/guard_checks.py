"""The program's own checks: every `assert` and every `raise` with the conditions that guard it.

With no tests, the checks in the target are the spec: a candidate that turns `assert total ==
sum(values)` into `!=`, or `if amount > balance: raise` into `<`, passes by removing the check,
not by fixing the code. `collect_checks` lists the reachable checks of a module, each keyed by
its scope, its kind, its condition (an assert's test; a raise's exception type) and its path (the
`if`/`while` tests with the branch taken, and the loops, `try`, `with` and `match` around it,
within its function). A check is unreachable, and so absent, after an unconditional `return`,
`raise`, `break` or `continue`, under a test that is constantly false (`if False:`, `while 0:`),
in a loop over a constant empty iterable, or after an `if` that leaves the function exactly when
the check would fail (`if result != expected: return` before `assert result == expected`).
`changed_checks` compares two versions as multisets of keys: a check of the original that the
candidate no longer has (deleted, weakened, inverted, negated, replaced by a constant, moved under
a new condition, made unreachable, its raise replaced) is changed, unless the candidate holds a
strictly stronger one in its place (`assert A` -> `assert A and B`, `if C: raise` -> `if C or D:
raise`). `tautologies` finds asserts the candidate added that always hold (`assert x or True`,
`assert x == x`, `assert (cond, "message")`, `assert len(xs) >= 0`). Formatting, comments and
assert messages never count.
"""

from __future__ import annotations

import ast
import operator
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PathStep = tuple[Any, ...]
CheckKey = tuple[str, str, str, tuple[PathStep, ...]]  # scope, kind, condition, path
_INVERSE = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_LITERAL_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_SELF_TRUE = (ast.Eq, ast.LtE, ast.GtE, ast.Is)
_SELF_FALSE = (ast.NotEq, ast.Lt, ast.Gt, ast.IsNot)


def dump(node: ast.AST | None) -> str:
    return "" if node is None else ast.dump(node, annotate_fields=False)


@dataclass(frozen=True)
class Check:
    key: CheckKey
    line: int
    text: str = field(compare=False)
    test: ast.expr | None = field(default=None, compare=False)  # an assert's test
    path_tests: tuple[ast.expr | None, ...] = field(default=(), compare=False)  # `if` tests

    @property
    def kind(self) -> str:
        return self.key[1]

    def describe(self) -> str:
        return f"the {self.kind} at line {self.line} (`{self.text}`)"


def truth(node: ast.expr) -> bool | None:
    """The truth value `node` always has, when it has one regardless of the program's state."""
    if isinstance(node, ast.Constant):
        return bool(node.value)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return True if len(node.elts) > 1 else None
        return bool(node.elts)
    if isinstance(node, ast.Dict):
        return True if any(k is not None for k in node.keys) else (None if node.keys else False)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = truth(node.operand)
        return None if inner is None else not inner
    if isinstance(node, ast.BoolOp):
        values = [truth(v) for v in node.values]
        decisive = isinstance(node.op, ast.Or)
        if decisive in values:
            return decisive
        return (not decisive) if all(v is not None for v in values) else None
    if isinstance(node, ast.NamedExpr):
        return truth(node.value)
    if isinstance(node, ast.IfExp):
        body, orelse = truth(node.body), truth(node.orelse)
        return body if body == orelse else None
    if isinstance(node, ast.Name) and node.id == "__debug__":
        return True
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _compare_truth(node.left, node.ops[0], node.comparators[0])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 2:
        kind = node.args[1]
        if node.func.id == "isinstance" and isinstance(kind, ast.Name) and kind.id == "object":
            return True
    return None


def _compare_truth(left: ast.expr, op: ast.cmpop, right: ast.expr) -> bool | None:
    if dump(left) == dump(right) and not any(isinstance(n, ast.Call) for n in ast.walk(left)):
        if isinstance(op, _SELF_TRUE):
            return True
        if isinstance(op, _SELF_FALSE):
            return False
    literal = _LITERAL_COMPARE.get(type(op))
    if literal is not None and isinstance(left, ast.Constant) and isinstance(right, ast.Constant):
        try:
            return bool(literal(left.value, right.value))
        except TypeError:
            return None
    # A length or an absolute value is never negative.
    zero = ast.Constant(0)
    if _never_negative(left) and dump(right) == dump(zero):
        return {ast.GtE: True, ast.Lt: False}.get(type(op))
    if _never_negative(right) and dump(left) == dump(zero):
        return {ast.LtE: True, ast.Gt: False}.get(type(op))
    return None


def _never_negative(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("len", "abs")
        and len(node.args) == 1
    )


def negations(node: ast.expr) -> set[str]:
    """Dumps of expressions that mean `not node` (the condition under which a check fails)."""
    found = {dump(ast.UnaryOp(ast.Not(), node))}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        found.add(dump(node.operand))
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        inverse = _INVERSE[type(node.ops[0])]()
        found.add(dump(ast.Compare(node.left, [inverse], node.comparators)))
    return found


def _disjuncts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return [d for value in node.values for d in _disjuncts(value)]
    return [node]


def _conjuncts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [c for value in node.values for c in _conjuncts(value)]
    return [node]


def _is_empty_iterable(node: ast.expr) -> bool:
    if truth(node) is False:
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        bounds = [
            a.value for a in node.args if isinstance(a, ast.Constant) and type(a.value) is int
        ]
        if node.args and len(bounds) == len(node.args):
            try:
                return len(range(*bounds)) == 0
            except ValueError:  # a zero step
                return False
    return False


class _Collector:
    def __init__(self) -> None:
        self.checks: list[Check] = []

    def body(
        self,
        statements: list[ast.stmt],
        scope: str,
        path: tuple[PathStep, ...],
        tests: tuple[ast.expr | None, ...],
        exits: frozenset[str] = frozenset(),
    ) -> None:
        """Collect from one block. `exits` holds the conditions under which an earlier
        statement leaves this block (or an enclosing one): a check that fails exactly then
        never fails. `tests` holds the test of each `if` step of `path` (None for others)."""
        for statement in statements:
            self.statement(statement, scope, path, tests, exits)
            if isinstance(statement, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
                return  # what follows never runs
            if isinstance(statement, ast.If) and _only_leaves(statement.body):
                exits = exits | {dump(d) for d in _disjuncts(statement.test)}

    def statement(
        self,
        node: ast.stmt,
        scope: str,
        path: tuple[PathStep, ...],
        tests: tuple[ast.expr | None, ...],
        exits: frozenset[str],
    ) -> None:
        if isinstance(node, ast.Assert):
            if not negations(node.test) & exits:
                key = (scope, "assert", dump(node.test), path)
                self.checks.append(Check(key, node.lineno, ast.unparse(node), node.test, tests))
        elif isinstance(node, ast.Raise):
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            key = (scope, "raise", dump(raised), path)
            text = ast.unparse(node)
            if tests and tests[-1] is not None:
                text = f"if {ast.unparse(tests[-1])}: {text}"
            self.checks.append(Check(key, node.lineno, text, None, tests))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.body(node.body, f"{scope}.{node.name}", (), ())
        elif isinstance(node, ast.If):
            known = truth(node.test)
            if known is not False and dump(node.test) not in exits:
                step: PathStep = ("if", dump(node.test), True)
                self.body(node.body, scope, (*path, step), (*tests, node.test), exits)
            if known is not True:
                step = ("if", dump(node.test), False)
                self.body(node.orelse, scope, (*path, step), (*tests, node.test), exits)
        elif isinstance(node, ast.While):
            if truth(node.test) is not False:
                step = ("while", dump(node.test))
                self.body(node.body, scope, (*path, step), (*tests, None), exits)
            self.body(node.orelse, scope, path, tests, exits)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            if not _is_empty_iterable(node.iter):
                self.body(node.body, scope, (*path, ("for",)), (*tests, None), exits)
            self.body(node.orelse, scope, path, tests, exits)
        elif isinstance(node, (ast.Try, ast.TryStar)):
            caught = tuple(dump(h.type) for h in node.handlers)
            self.body(node.body, scope, (*path, ("try", caught)), (*tests, None), exits)
            for handler in node.handlers:
                step = ("except", dump(handler.type))
                self.body(handler.body, scope, (*path, step), (*tests, None), exits)
            self.body(node.orelse, scope, (*path, ("try-else",)), (*tests, None), exits)
            self.body(node.finalbody, scope, path, tests, exits)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            step = ("with", tuple(dump(item.context_expr) for item in node.items))
            self.body(node.body, scope, (*path, step), (*tests, None), exits)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                step = ("case", dump(node.subject), dump(case.pattern), dump(case.guard))
                self.body(case.body, scope, (*path, step), (*tests, None), exits)


def _only_leaves(body: list[ast.stmt]) -> bool:
    """`body` ends by leaving its block without raising (return, continue, break)."""
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Continue, ast.Break))


def collect_checks(tree: ast.Module) -> list[Check]:
    collector = _Collector()
    collector.body(tree.body, "<module>", (), ())
    return collector.checks


def _strengthens(new: Check, old: Check) -> bool:
    """`new` fails whenever `old` would (and maybe more often): a stronger check in its place."""
    if new.key[:3] == old.key[:3] and new.kind == "raise":
        return _stronger_raise_path(new, old)
    if new.key[0] != old.key[0] or new.kind != "assert" or old.kind != "assert":
        return False
    if new.key[3] != old.key[3] or new.test is None:
        return False
    return old.key[2] in {dump(c) for c in _conjuncts(new.test)}


def _stronger_raise_path(new: Check, old: Check) -> bool:
    """One guarding `if` test widened (`C` -> `C or D`; `C` -> `C and D` on the else side)."""
    new_path, old_path = new.key[3], old.key[3]
    if len(new_path) != len(old_path):
        return False
    differing = [i for i, (n, o) in enumerate(zip(new_path, old_path, strict=True)) if n != o]
    if len(differing) != 1:
        return False
    index = differing[0]
    step_new, step_old = new_path[index], old_path[index]
    test = new.path_tests[index] if index < len(new.path_tests) else None
    if test is None or step_new[0] != "if" or step_old[0] != "if" or step_new[2] != step_old[2]:
        return False
    parts = _disjuncts(test) if step_new[2] else _conjuncts(test)
    return len(parts) > 1 and step_old[1] in {dump(p) for p in parts}


def changed_checks(original: list[Check], candidate: list[Check]) -> list[Check]:
    """Checks of `original` that `candidate` dropped or weakened (see the module docstring)."""
    removed = Counter(c.key for c in original) - Counter(c.key for c in candidate)
    added = list((Counter(c.key for c in candidate) - Counter(c.key for c in original)).elements())
    new_checks = [c for c in candidate if c.key in added]
    changed = []
    for check in original:
        if removed[check.key] <= 0:
            continue
        removed[check.key] -= 1
        stronger = next((c for c in new_checks if _strengthens(c, check)), None)
        if stronger is None:
            changed.append(check)
        else:
            new_checks.remove(stronger)
    return changed


def tautologies(original: list[Check], candidate: list[Check]) -> list[Check]:
    """Asserts the candidate added (or rewrote) that hold whatever the program does."""
    known = Counter(c.key for c in original)
    found = []
    for check in candidate:
        if known[check.key] > 0:
            known[check.key] -= 1
            continue
        if check.kind == "assert" and check.test is not None and truth(check.test) is True:
            found.append(check)
    return found
