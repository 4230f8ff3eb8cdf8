"""Putting a candidate in place of an imported module (the session child's swap), in process.

Each test writes a small project, imports it as a collected session would (with `CallWatch`
tracing), plans the swap and applies candidates, then checks what every user of the module
runs: `import mod` users, `from mod import f` users, wrappers, and values computed at import.
A swap that cannot be faithful must say so (`Unfaithful`), never run stale code.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from fixloop.sandbox_worker import calls, errors
from fixloop.sandbox_worker.calls import CallWatch
from fixloop.sandbox_worker.swap import SwapPlan, Unfaithful

Importer = Callable[..., tuple[SwapPlan, dict[str, ModuleType]]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Importer]:
    """Write files under a fresh root and import modules from it as the session would."""
    root = tmp_path / "proj"
    root.mkdir()
    # The worker's root is its working directory in the sandbox; here it is this project.
    monkeypatch.setattr(calls, "ROOT", str(root))
    monkeypatch.setattr(errors, "ROOT", str(root))
    monkeypatch.syspath_prepend(str(root))
    before = set(sys.modules)

    def load(
        files: dict[str, str],
        *names: str,
        items: Callable[[dict[str, ModuleType]], list[Any]] | None = None,
    ) -> tuple[SwapPlan, dict[str, ModuleType]]:
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        target = root / "pkg" / "mod.py"
        watch = CallWatch(str(target))
        watch.start()
        try:
            modules = {name: importlib.import_module(name) for name in names}
        finally:
            watch.stop()
        collected = items(modules) if items is not None else []
        plan = SwapPlan.build(str(target), target.read_text(encoding="utf-8"), watch, collected)
        assert plan is not None
        return plan, modules

    yield load
    for name in set(sys.modules) - before:
        del sys.modules[name]


MOD = """
import functools

RATE = 2


def scale(x):
    return x * RATE


@functools.lru_cache(maxsize=None)
def cached(x):
    return x + 1


class Shape:
    def __init__(self, side):
        self.side = side

    @property
    def area(self):
        return self.side * self.side

    @area.setter
    def area(self, value):
        self.side = value ** 0.5

    @staticmethod
    def unit():
        return 1

    @classmethod
    def square(cls, side):
        return cls(side)


class Cube(Shape):
    def volume(self):
        return super().area * self.side
"""

USERS = {
    "pkg/__init__.py": "from .mod import scale\n",
    "pkg/mod.py": MOD,
    "users.py": """
        import pkg.mod as mod
        from pkg.mod import RATE, Cube, Shape, cached, scale
        from pkg.mod import scale as renamed

        TABLE = [scale]


        def through_closure():
            return scale(3)
        """,
}


def test_a_changed_function_body_is_seen_by_every_kind_of_user(project: Importer) -> None:
    plan, modules = project(USERS, "users")
    users, mod = modules["users"], sys.modules["pkg.mod"]
    old_scale = mod.scale
    assert plan.apply(MOD.replace("return x * RATE", "return x * RATE + 1")) == "patched"
    assert mod.scale is old_scale  # identity kept: nothing needed rebinding
    assert mod.scale(3) == 7
    assert users.scale(3) == users.renamed(3) == users.TABLE[0](3) == 7
    assert users.through_closure() == 7
    assert sys.modules["pkg"].scale(3) == 7


def test_wrapped_functions_properties_and_super_are_patched(project: Importer) -> None:
    plan, modules = project(USERS, "users")
    users = modules["users"]
    candidate = (
        MOD.replace("return x + 1", "return x + 10")
        .replace("return self.side * self.side", "return self.side * 2")
        .replace("self.side = value ** 0.5", "self.side = value")
        .replace("return 1\n", "return 100\n")
        .replace("return cls(side)", "return cls(side + 1)")
        .replace("return super().area * self.side", "return super().area + self.side")
    )
    assert plan.apply(candidate) == "patched"
    assert users.cached(1) == 11
    shape = users.Shape(3)
    assert shape.area == 6
    shape.area = 4
    assert shape.side == 4
    assert users.Shape.unit() == 100
    assert users.Shape.square(2).side == 3
    assert users.Cube(3).volume() == 9


def test_a_changed_constant_re_executes_the_module_and_rebinds_its_users(project: Importer) -> None:
    plan, modules = project(USERS, "users")
    users, mod = modules["users"], sys.modules["pkg.mod"]
    old_shape = mod.Shape
    assert plan.apply(MOD.replace("RATE = 2", "RATE = 5")) == "reexec"
    assert mod.RATE == 5 and users.RATE == 5
    assert users.scale(3) == 15 and users.renamed(3) == 15 and users.mod.scale(3) == 15
    assert sys.modules["pkg"].scale(3) == 15
    assert users.Shape is mod.Shape is not old_shape  # rebound to the re-executed class
    # An old function object kept in a list runs the candidate's code too.
    assert users.TABLE[0](3) == 15


def test_a_name_the_users_import_must_still_exist(project: Importer) -> None:
    plan, _ = project(USERS, "users")
    with pytest.raises(Unfaithful, match="no longer defines cached"):
        plan.apply(MOD.replace("def cached(x):", "def cache_me(x):") + "\nEXTRA = 1\n")


def test_a_function_that_ran_at_import_is_recomputed(project: Importer) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/mod.py": """
            def build():
                return [1, 2, 3]


            TABLE = build()
            """,
        "users.py": "from pkg.mod import TABLE\n",
    }
    plan, modules = project(files, "users")
    candidate = files["pkg/mod.py"].replace("[1, 2, 3]", "[4]")
    assert plan.apply(textwrap.dedent(candidate).lstrip("\n")) == "reexec"
    assert modules["users"].TABLE == [4]
    assert sys.modules["pkg.mod"].TABLE == [4]


def test_target_code_that_ran_while_collecting_refuses_the_swap(project: Importer) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/mod.py": """
            def cases():
                return [1, 2]


            def other():
                return 0
            """,
        "users.py": "from pkg.mod import cases\n\nCASES = cases()\n",
    }
    plan, _ = project(files, "users")
    original = textwrap.dedent(files["pkg/mod.py"]).lstrip("\n")
    # A function nobody ran yet can change in place; the one collection used cannot.
    assert plan.apply(original.replace("return 0", "return 1")) == "patched"
    with pytest.raises(Unfaithful, match="cases changed and ran while pytest collected"):
        plan.apply(original.replace("[1, 2]", "[3]"))
    assert "ran while pytest collected" in plan.reexec_blocker


def test_a_subclass_elsewhere_or_an_import_side_effect_blocks_re_execution(
    project: Importer,
) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/registry.py": "SEEN = []\n\n\ndef register(name):\n    SEEN.append(name)\n",
        "pkg/mod.py": """
            from pkg.registry import register


            class Base:
                pass


            register("mod")
            """,
        "users.py": "from pkg.mod import Base\n\n\nclass Child(Base):\n    pass\n",
    }
    plan, _ = project(files, "users")
    assert "importing the target runs code of pkg/registry.py" in plan.reexec_blocker
    with pytest.raises(Unfaithful, match="module-level change"):
        plan.apply(textwrap.dedent(files["pkg/mod.py"]).lstrip("\n") + "\nLIMIT = 1\n")
    files["pkg/mod.py"] = "class Base:\n    pass\n"
    files["users.py"] = "from pkg.mod import Base\n\n\nclass Child(Base):\n    pass\n"
    for name in [n for n in sys.modules if n.startswith("pkg") or n == "users"]:
        del sys.modules[name]
    plan, _ = project(files, "users")
    assert plan.reexec_blocker == "users.Child subclasses Base"


def test_a_candidate_that_does_not_compile_or_raises_on_import_is_refused(
    project: Importer,
) -> None:
    plan, _ = project(USERS, "users")
    with pytest.raises(Unfaithful, match="does not compile"):
        plan.apply(MOD.replace("def scale(x):", "def scale(x)"))
    with pytest.raises(Unfaithful, match="raises on import: ZeroDivisionError"):
        plan.apply(MOD + "\nBROKEN = 1 / 0\n")


def test_the_watch_survives_a_coverage_tracer_and_knows_when_it_was_replaced(
    project: Importer,
) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/mod.py": "def cases():\n    return [1]\n",
        # A coverage tool installs a trace function while collecting; the watch still sees.
        "users.py": "import sys\n\nsys.settrace(lambda *args: None)\nfrom pkg.mod import cases\n\nCASES = cases()\nsys.settrace(None)\n",
    }
    plan, _ = project(files, "users")
    with pytest.raises(Unfaithful, match="cases changed and ran while pytest collected"):
        plan.apply("def cases():\n    return [2]\n")
    for name in [n for n in sys.modules if n.startswith("pkg") or n == "users"]:
        del sys.modules[name]
    # A tool that takes the profile hook over leaves the watch blind: nothing is trusted.
    files["users.py"] = "import sys\n\nsys.setprofile(None)\nfrom pkg.mod import cases\n"
    plan, _ = project(files, "users")
    assert "replaced the watch" in plan.reexec_blocker
    with pytest.raises(Unfaithful, match="replaced the watch"):
        plan.apply("def cases():\n    return [2]\n")


def test_collected_parameters_holding_target_instances_block_re_execution(
    project: Importer,
) -> None:
    files = {
        "pkg/__init__.py": "",
        # A dataclass's __init__ is generated code: the watch cannot see it run.
        "pkg/mod.py": "import dataclasses\n\n\n@dataclasses.dataclass\nclass Point:\n    x: int\n",
        "users.py": "from pkg.mod import Point\n\nPOINTS = [Point(1)]\n",
    }

    def collected(modules: dict[str, ModuleType]) -> list[Any]:
        # What pytest's collection leaves for @pytest.mark.parametrize("point", POINTS).
        params = {"point": modules["users"].POINTS[0]}
        return [
            SimpleNamespace(
                nodeid="test_points.py::test_x[point0]",
                callspec=SimpleNamespace(params=params),
                cls=None,
            )
        ]

    plan, _ = project(files, "users", items=collected)
    assert plan.reexec_blocker.startswith("the parameters of test_points.py::test_x[point0]")
