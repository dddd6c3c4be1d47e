#!/usr/bin/env bash
# Installs the peers: other projects' real servers that acceptance tests run against (tests/peers/).
# Today that is Bluesky's PDS and a PLC directory (tests/peers/bluesky), and X's twitter-text with
# Node's Intl.Segmenter for the counting rules (tests/peers/twitter-text); each pinned by its package-lock.json.
# Re-runs `npm ci` only when the lock file changes. Fails loudly when Node.js is missing: the tests that
# use a peer never skip.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js 20+ and npm are required for tests/peers (Bluesky's PDS, twitter-text)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "Node.js 20+ is required for tests/peers; found $(node --version)" >&2
  exit 1
fi
for peer in tests/peers/bluesky tests/peers/twitter-text; do
  lock=$(sha256sum "$peer/package-lock.json" | cut -c1-16)
  if [ "$(cat "$peer/node_modules/.kawo-stamp" 2>/dev/null)" != "$lock" ]; then
    echo "== installing $peer (npm ci; the first time takes about 2 minutes)"
    (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock" > "$peer/node_modules/.kawo-stamp"
  fi
done
