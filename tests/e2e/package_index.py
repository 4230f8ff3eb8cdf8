"""A package index on 127.0.0.1 for the e2e's "Solve Task installs a package" step.

It builds a wheel of `fixloop-probe-pkg` at run time holding a fresh random value (so the task's
result can only show that value if the installed package was really imported), serves it with
`llm.package_index.PackageIndex`, prints one JSON line {url, value, package, module} on stdout,
then one line `fetched PATH` per request pip makes, and stops when its stdin closes.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for llm.package_index

from llm.package_index import MODULE, PACKAGE, PackageIndex  # noqa: E402


def main() -> None:
    index = PackageIndex(
        f"probe-{uuid.uuid4().hex[:10]}", on_fetch=lambda path: print(f"fetched {path}", flush=True)
    ).start()
    description = {"url": index.url, "value": index.value, "package": PACKAGE, "module": MODULE}
    print(json.dumps(description), flush=True)
    sys.stdin.read()  # until the e2e closes our stdin
    index.stop()


if __name__ == "__main__":
    main()
