"""pytest plugin: `counting_reference` runs X's own twitter-text and Node's Intl.Segmenter once per session.

Our counters (channels_app/connectors/x/text.py, channels_app/connectors/bluesky/richtext.py) must agree
with what X and Bluesky count. The reference is the twitter-text npm package itself (pinned in
tests/peers/twitter-text/package-lock.json, installed by scripts/peers.sh with `npm ci`) and the grapheme
segmentation of Node's ICU (what Bluesky's servers count with), both behind one long-lived process,
tests/peers/twitter-text/count.js: one JSON line in, one JSON line out, so ten thousand texts cost one
round trip. Missing node or packages FAIL the tests that use the fixture: they never skip.
Registered in the root conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

PEER_DIR = Path(__file__).resolve().parent / "twitter-text"
INSTALL_HINT = "run `bash scripts/peers.sh` (it runs `npm ci` in tests/peers/twitter-text)"


class CountingReference:
    """The running count.js: `count(texts)`, `upper(texts)` and `data()` (see count.js for each answer)."""

    def __init__(self, proc: subprocess.Popen, versions: dict):
        self._proc = proc
        self.versions = versions

    def _ask(self, request: dict):
        assert self._proc.stdin is not None and self._proc.stdout is not None
        # ensure_ascii: every character travels as an escape, lone surrogates included.
        self._proc.stdin.write(json.dumps(request).encode("ascii") + b"\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the counting peer exited (code {self._proc.poll()})")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"the counting peer failed: {reply['error']}")
        return reply["ok"]

    def count(self, texts: list[str]) -> list[dict]:
        """Per text: {"x": weighted length, "urls": [[start, end], ...] (UTF-16 units), "g": graphemes}."""
        return self._ask({"op": "count", "texts": texts})

    def upper(self, texts: list[str]) -> list[str]:
        return self._ask({"op": "upper", "texts": texts})

    def data(self) -> dict:
        return self._ask({"op": "data"})


def _check_installed() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            f"counting peer: `node` is not on PATH; install Node.js 20+, then {INSTALL_HINT}", pytrace=False
        )
    if not (PEER_DIR / "node_modules" / "twitter-text" / "package.json").is_file():
        pytest.fail(f"counting peer: the npm package twitter-text is missing; {INSTALL_HINT}", pytrace=False)
    return node


@pytest.fixture(scope="session")
def counting_reference() -> Iterator[CountingReference]:
    node = _check_installed()
    proc = subprocess.Popen(
        [node, "count.js"],
        cwd=PEER_DIR,
        stdin=subprocess.PIPE,  # count.js exits when this closes, even if pytest is killed
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline() or b'{"ready": null}')["ready"]
        if ready is None:
            raise RuntimeError(f"the counting peer did not start (exit code {proc.wait(timeout=10)})")
        yield CountingReference(proc, ready)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()
