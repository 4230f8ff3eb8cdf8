#!/usr/bin/env bash
# Debian packages the tests need: bubblewrap (sandbox), docker.io and debootstrap (engine and
# an offline test image), neovim (second LSP client), chromium, ripgrep, g++ and make
# (code-server build and the Playwright-driven VS Code test), python3 and util-linux (Debian's
# interpreter, reachable by any uid, and setpriv: the local sandbox's unprivileged-uid tests).
# Skips what is installed already.
set -euo pipefail
wanted=(bubblewrap docker.io debootstrap neovim chromium ripgrep g++ make python3 util-linux)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all present" >&2
  exit 0
fi
echo "system packages: installing ${missing[*]}" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
