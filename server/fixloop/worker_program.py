"""The in-sandbox worker as one self-contained program: `python -c PROGRAM [--once|--pytest ...]`.

The worker's modules (`fixloop.sandbox_worker`) are read as package resources, never by a path
next to this file, and embedded in a small bootstrap that registers them as the package
`_fixloop_worker` through an import hook, then calls its `main`. So the sandbox's interpreter
needs nothing of fixloop installed (another `--python`, a Docker image), and nothing is written
to the user's workspace. Worker frames are compiled under the name `<fixloop-worker>/MODULE.py`,
which the worker leaves out of the tracebacks it reports.
"""

from __future__ import annotations

import functools
from importlib import resources

WORKER_PACKAGE = "fixloop.sandbox_worker"
SANDBOX_PACKAGE = "_fixloop_worker"
MODULES = (
    "protocol",
    "limits",
    "errors",
    "context",
    "overlay",
    "coverage",
    "strict_eq",
    "strict",
    "footprint",
    "script",
    "light",
    "pytest_runner",
    "calls",
    "swap",
    "session",
    "forkserver",
    "main",
)

_BOOTSTRAP = """
import importlib.abc
import importlib.util
import sys

_SOURCES = {sources}


class _WorkerModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.partition(".")
        if package != {package!r} or (name and name not in _SOURCES):
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=not name)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__.partition(".")[2]
        if name:
            module.__file__ = "<fixloop-worker>/" + name + ".py"
            code = compile(_SOURCES[name], module.__file__, "exec", dont_inherit=True)
            exec(code, module.__dict__)


sys.meta_path.insert(0, _WorkerModules())
from {package}.main import main

sys.exit(main(sys.argv[1:]))
"""


@functools.cache
def worker_program() -> str:
    """The bootstrap with every worker module's source embedded (built once per process)."""
    package = resources.files(WORKER_PACKAGE)
    sources = {name: (package / f"{name}.py").read_text(encoding="utf-8") for name in MODULES}
    return _BOOTSTRAP.format(sources=repr(sources), package=SANDBOX_PACKAGE)
