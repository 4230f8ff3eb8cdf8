"""Start the fixloop language server from inside the VS Code extension.

The extension runs this file with the chosen interpreter. It puts the copy of the server that
ships in the .vsix (client/bundled/server) and its pure-Python dependencies
(client/bundled/libs) at the front of sys.path, so the server works in any Python 3.10+ without
installing anything, while heavy optional packages (openai, autogen, docker) still come from the
interpreter's own site-packages. In a source checkout without a bundle it falls back to the
repository's server/ directory. Nothing but JSON-RPC may reach stdout, so it prints only to stderr.
"""

import os
import sys

if sys.version_info < (3, 10):
    sys.stderr.write(f"fixloop: the server needs Python 3.10 or newer, not {sys.version.split()[0]}\n")
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLED = os.path.join(HERE, "bundled")
CANDIDATE_PATHS = (
    os.path.join(BUNDLED, "libs"),
    os.path.join(BUNDLED, "server"),
)
FALLBACK_SERVER = os.path.join(os.path.dirname(HERE), "server")

paths = [p for p in CANDIDATE_PATHS if os.path.isdir(p)]
if not os.path.isdir(os.path.join(BUNDLED, "server", "fixloop")) and os.path.isdir(FALLBACK_SERVER):
    paths.append(FALLBACK_SERVER)
# Bundled code first: the server must run against the dependency versions it was built with.
sys.path[:0] = [p for p in paths if p not in sys.path]

try:
    from fixloop.cli import main
except ImportError as exc:
    sys.stderr.write(f"fixloop: cannot import the server ({exc}); reinstall the extension\n")
    sys.exit(3)

sys.exit(main(["serve", *sys.argv[1:]]))
