#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (no browser download). Install it when missing.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
