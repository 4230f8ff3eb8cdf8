#!/usr/bin/env bash
# Install code-server 4.96.4 (VS Code 1.96.4 for the browser, on the machine's Node 20) for the
# end-to-end test, without GitHub access: the package comes from the npm registry with its
# install scripts disabled, and the steps of its postinstall that would download from GitHub are
# done by hand from registry tarballs and Debian packages (ripgrep). The result lives in a cache
# directory shared by every checkout on the machine (FIXLOOP_CODE_SERVER_DIR, default
# /var/cache/fixloop/code-server when writable, else .cache/code-server in this checkout; the
# end-to-end harness looks in the same places) and the script returns at once when a working
# install is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.96.4
if [ -n "${FIXLOOP_CODE_SERVER_DIR:-}" ]; then
  dest="$FIXLOOP_CODE_SERVER_DIR"
elif mkdir -p /var/cache/fixloop 2>/dev/null && [ -w /var/cache/fixloop ]; then
  dest=/var/cache/fixloop/code-server
else
  dest="$PWD/.cache/code-server"
fi
entry="$dest/node_modules/code-server/out/node/entry.js"
stamp="$dest/.installed-$version"
# code-server writes a default config file under XDG_CONFIG_HOME even for --version; keep it out
# of the user's home.
export XDG_CONFIG_HOME="$dest/config"

if [ -f "$stamp" ] && node "$entry" --version >/dev/null 2>&1; then
  echo "code-server $version: already installed in $dest" >&2
  exit 0
fi

for tool in node npm rg g++ make; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "code-server: '$tool' is missing; run scripts/install-system.sh (needs ripgrep, g++, make, Node 20)" >&2
    exit 1
  fi
done

mkdir -p "$dest"
cd "$dest"
[ -f package.json ] || echo '{"name": "fixloop-code-server", "private": true}' > package.json

# node-gyp must use the installed Node headers and compile argon2 rather than download either.
export npm_config_nodedir=/usr
export npm_config_build_from_source=true
export npm_config_fund=false
export npm_config_audit=false
export npm_config_update_notifier=false

echo "code-server: installing $version from the npm registry (a few minutes)" >&2
npm install --no-save --ignore-scripts --loglevel=error "code-server@$version"
npm rebuild argon2 --loglevel=error

vscode="$dest/node_modules/code-server/lib/vscode"
# The shrinkwrap pins @vscode/proxy-agent to a GitHub commit. The registry's tarball of 0.27.0
# has the same sha512, so ask the npm client (which knows the configured registry) for that
# tarball and its integrity, and use it only when the integrity matches the pinned one.
proxy_agent_tarball="$(npm view @vscode/proxy-agent@0.27.0 dist.tarball)"
proxy_agent_integrity="$(npm view @vscode/proxy-agent@0.27.0 dist.integrity)"
node - "$vscode/npm-shrinkwrap.json" "$proxy_agent_tarball" "$proxy_agent_integrity" <<'EOF'
const fs = require("fs");
const [file, tarball, integrity] = process.argv.slice(2);
const wrap = JSON.parse(fs.readFileSync(file, "utf8"));
for (const [key, pkg] of Object.entries(wrap.packages || {})) {
  if (key.endsWith("node_modules/@vscode/proxy-agent") && String(pkg.resolved).startsWith("git")) {
    if (pkg.integrity && pkg.integrity !== integrity) {
      console.error(`code-server: the registry's @vscode/proxy-agent (${integrity}) is not the pinned one (${pkg.integrity})`);
      process.exit(1);
    }
    pkg.resolved = tarball;
    pkg.integrity = integrity;
  }
}
fs.writeFileSync(file, JSON.stringify(wrap, null, 2));
EOF

cd "$vscode"
npm install --ignore-scripts --omit=dev --loglevel=error
npm rebuild @parcel/watcher @vscode/spdlog native-watchdog node-pty @vscode/deviceid --loglevel=error
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sfn "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# The remaining steps of code-server's own postinstall.
ln -sfn node_modules node_modules.asar
ln -sfn code-linux.sh bin/remote-cli/code-server
ln -sfn browser-linux.sh bin/helpers/browser.sh
(cd extensions && npm install --omit=dev --loglevel=error)

node "$entry" --version >&2
touch "$stamp"
echo "code-server $version: installed in $dest" >&2
