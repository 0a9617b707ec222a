#!/usr/bin/env bash
# Installs what the editor end-to-end test needs: code-server (VS Code served to a browser, from npm) into
# DIR, and Debian's chromium if it is missing. Safe to run again: a verified install returns at once.
#
#   scripts/e2e/setup.sh [DIR]     DIR defaults to ${SLUICE_E2E_CACHE:-$HOME/.cache/sluice-e2e}
#
# Why not a plain `npm install code-server`:
#   - 4.100.3 is the last code-server whose postinstall accepts Node 20;
#   - its postinstall refuses to run as root without npm_config_unsafe_perm;
#   - @vscode/ripgrep downloads rg from GitHub at install time; it first looks for a cached archive in
#     $TMPDIR/vscode-ripgrep-cache-<version>/, so we put Debian's rg there;
#   - native modules fall back to node-gyp, which needs local Node headers (nodedir) and, for node-pty,
#     `npx node-gyp` without a prompt (npm_config_yes).
set -euo pipefail

DIR="${1:-${SLUICE_E2E_CACHE:-$HOME/.cache/sluice-e2e}}"
VERSION="${CODE_SERVER_VERSION:-4.100.3}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
PKG="$DIR/node_modules/code-server"
BIN="$DIR/node_modules/.bin/code-server"
STAMP="$DIR/installed-$VERSION"
LOGS="$DIR/logs"
WORK="$DIR/tmp"
mkdir -p "$LOGS" "$WORK"

say() { printf '[e2e-setup] %s\n' "$*"; }
fail() { printf '[e2e-setup] error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'install ok installed' >/dev/null || missing+=("$p")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  say "apt-get install ${missing[*]}"
  as_root apt-get update >"$LOGS/apt-update.log" 2>&1 || fail "apt-get update failed (see $LOGS/apt-update.log)"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y --no-install-recommends "${missing[@]}" \
    >"$LOGS/apt-install.log" 2>&1 || fail "apt-get install failed (see $LOGS/apt-install.log)"
}

# The browser is needed by every run, whether or not code-server is already cached.
[ -x /usr/bin/chromium ] || apt_install_missing chromium

installed_ok() {
  [ -f "$STAMP" ] && [ -x "$BIN" ] || return 1
  "$BIN" --version 2>/dev/null | grep "^$VERSION " >/dev/null || return 1
  "$PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" --version >/dev/null 2>&1 || return 1
  # The native modules the server and its extension host load at start-up.
  (cd "$PKG/lib/vscode" && node -e "for (const m of ['node-pty', '@vscode/spdlog', 'kerberos', '@parcel/watcher']) require(m)") \
    >/dev/null 2>&1
}

if installed_ok; then
  say "code-server $VERSION ready in $DIR"
  exit 0
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || say "warning: code-server $VERSION expects Node 20, this is Node $node_major"

apt_install_missing build-essential python3 libkrb5-dev ripgrep

# Local Node headers for node-gyp (there is no download of them during the build).
if [ -z "${npm_config_nodedir:-}" ]; then
  prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  [ -f "$prefix/include/node/node_version.h" ] || fail "no Node headers under $prefix/include/node; set npm_config_nodedir"
  export npm_config_nodedir="$prefix"
fi

# Seed @vscode/ripgrep's download cache with the system rg.
say "preparing the ripgrep cache"
rm -rf "$WORK/pack" && mkdir -p "$WORK/pack"
(cd "$WORK/pack" && npm pack --silent "code-server@$VERSION" >/dev/null 2>"$LOGS/npm-pack.log") || fail "npm pack code-server failed"
rg_version="$(tar xzf "$WORK"/pack/code-server-*.tgz -O package/lib/vscode/npm-shrinkwrap.json \
  | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).packages["node_modules/@vscode/ripgrep"]?.version??""))')"
[ -n "$rg_version" ] || fail "cannot find @vscode/ripgrep in code-server's shrinkwrap"
(cd "$WORK/pack" && npm pack --silent "@vscode/ripgrep@$rg_version" >/dev/null 2>>"$LOGS/npm-pack.log") || fail "npm pack @vscode/ripgrep failed"
rg_tgz="$(ls "$WORK"/pack/vscode-ripgrep-*.tgz)"
# grep reads the whole listing (no -q): with pipefail, tar killed by SIGPIPE would fail the test.
if tar tzf "$rg_tgz" | grep '^package/lib/postinstall.js$' >/dev/null; then
  rg_tag="$(tar xzf "$rg_tgz" -O package/lib/postinstall.js | sed -n "s/^const VERSION = '\(.*\)';.*/\1/p")"
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-musl ;;
    *) fail "unsupported machine $(uname -m)" ;;
  esac
  cache="$WORK/vscode-ripgrep-cache-$rg_version"
  mkdir -p "$cache" "$WORK/rg"
  install -m 755 "$(command -v rg)" "$WORK/rg/rg"
  tar czf "$cache/ripgrep-$rg_tag-$rg_target.tar.gz" -C "$WORK/rg" rg
fi

say "npm install code-server@$VERSION (builds native modules; a minute or two)"
[ -f "$DIR/package.json" ] || echo '{ "name": "sluice-e2e-code-server", "private": true }' >"$DIR/package.json"
rm -f "$STAMP"
rm -rf "$PKG" # an unverified copy would make npm skip the postinstall
export TMPDIR="$WORK" npm_config_unsafe_perm=true npm_config_yes=true
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
if ! (cd "$DIR" && npm install --save-exact --foreground-scripts "code-server@$VERSION") >"$LOGS/npm-install.log" 2>&1; then
  fail "npm install failed (see $LOGS/npm-install.log)"
fi
touch "$STAMP"
installed_ok || { rm -f "$STAMP"; fail "code-server installed but does not start its native modules (see $LOGS/npm-install.log)"; }
rm -rf "$WORK/pack" "$WORK/rg"
say "code-server $VERSION ready in $DIR ($(du -sh "$DIR" | cut -f1))"
