#!/usr/bin/env bash
# Installs the browser the storefront's end-to-end tests drive (tests/Storefront.Tests): Debian's chromium, launched
# headless by Playwright. Playwright's own browser download is not used. Idempotent: does nothing when chromium is
# there. Needs root or sudo and apt (Debian or Ubuntu). CHROMIUM_PATH names another binary and skips the install.
#
#   eng/install-browser.sh          install if missing, then print the path and version
set -euo pipefail
log() { echo "[install-browser] $*" >&2; }
BROWSER=${CHROMIUM_PATH:-/usr/bin/chromium}

if [ ! -x "$BROWSER" ]; then
  [ -n "${CHROMIUM_PATH:-}" ] && { log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"; exit 1; }
  command -v apt-get >/dev/null || { log "no apt-get: install Chromium yourself and set CHROMIUM_PATH"; exit 1; }
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing chromium (apt)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2 \
    || { $SUDO apt-get update -q >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2; }
  [ -x "$BROWSER" ] || { log "apt install of chromium failed"; exit 1; }
fi

# The first line of /usr/bin/chromium's wrapper may complain on some shells; only the version line matters.
echo "$BROWSER: $("$BROWSER" --version 2>/dev/null | head -1)"
