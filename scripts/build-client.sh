#!/usr/bin/env bash
# Build the VS Code extension: npm packages (npm ci from the lock file), the esbuild bundle, the
# server bundle (a copy of server/fixloop plus its pure-Python dependencies installed with
# pip --target into client/bundled/libs) and the .vsix (fixloop-<version>.vsix at the root).
# Safe to run again: npm and pip are skipped when their inputs have not changed, and the .vsix is
# only rebuilt when something that goes into it is newer.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# 1. npm packages: npm ci when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "build-client: npm ci" >&2
  npm ci --loglevel=error
fi

# 2. The extension bundle.
node client/esbuild.mjs

# 3. The server and its pure-Python dependencies.
libs=client/bundled/libs
stamp="$libs/.requirements"
if [ ! -f "$stamp" ] || ! cmp -s client/requirements-bundled.txt "$stamp"; then
  echo "build-client: pip install --target $libs" >&2
  rm -rf "$libs"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile --target "$libs" -r client/requirements-bundled.txt
  rm -rf "$libs/bin"
  cp client/requirements-bundled.txt "$stamp"
fi
rm -rf client/bundled/server
mkdir -p client/bundled/server
cp -r server/fixloop client/bundled/server/fixloop
find client/bundled/server -name __pycache__ -type d -prune -exec rm -rf {} +

# 4. The .vsix, when any of its inputs is newer than it.
version=$(node -p "require('./package.json').version")
vsix="fixloop-$version.vsix"
if [ ! -f "$vsix" ] || [ -n "$(find package.json client/bootstrap.py client/bundled server/fixloop -newer "$vsix" -print -quit)" ]; then
  echo "build-client: packaging $vsix" >&2
  npx --no-install vsce package --no-dependencies --skip-license --allow-missing-repository \
    --readme-path client/README.md --out "$vsix" >/dev/null
fi
echo "build-client: $vsix ($(du -k "$vsix" | cut -f1) KiB)" >&2
