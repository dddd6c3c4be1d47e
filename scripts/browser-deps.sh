#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (no browser download). Install it when missing,
# and a CJK font: the dashboard speaks Chinese, and without one its screenshots show empty boxes.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-noto-cjk)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian's ${missing[*]} for the browser tests"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
