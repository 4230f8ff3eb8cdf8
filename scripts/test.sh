#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine: installs and starts what the tests
# need (apt packages, the Docker engine and its test image, npm packages, code-server), then
# runs lint, type checks, the Python tests (sandboxes, repair loop, language server, Neovim,
# model layer), the client unit tests, the real VS Code end-to-end test and short benchmarks.
# Heavy installs are cached: each installer returns at once when its result is present.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
step() { printf '\n==> %s\n' "$*" >&2; }

step "system packages"
bash scripts/install-system.sh
step "python environment"
bash scripts/setup.sh
step "docker engine and test image"
source scripts/install-docker.sh   # exports FIXLOOP_TEST_IMAGE and DOCKER_HOST when needed
step "node packages and extension build"
bash scripts/build-client.sh
step "code-server for the end-to-end test"
bash scripts/install-code-server.sh

step "lint and type checks"
ruff check server tests scripts
ruff format --check server tests scripts
mypy
npm run --silent lint

step "client unit tests"
npm run --silent test:unit

step "VS Code end-to-end test (code-server + Playwright)"
npm run --silent test:e2e

step "short benchmarks (figures only; nothing asserts a timing)"
# 15 rounds (about 40 s): with 5, one slow moment on a shared machine moved a ratio by 0.2.
fixloop bench sandbox --runs 15
fixloop bench repair --quick
fixloop bench lsp --runs 3 --requests 100 --user-runs 5 --first-fixes 3
fixloop bench llm --quick
fixloop bench sweep --quick
npm run --silent bench -- --quick

# Last, so that the suite's closing line is pytest's own count.
step "python tests"
pytest -q -p no:cacheprovider "$@"
