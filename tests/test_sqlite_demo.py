"""The demo runs on the embedded defaults (SQLite, file broker), which the rest of the suite (PostgreSQL)
does not exercise: every page that needs only a workspace id must answer without a server error there."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_simple_page_works_on_the_sqlite_demo(tmp_path):
    # given: a fresh SQLite database, no Redis, no simulator
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kawo.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        KAWO_VAR_DIR=str(tmp_path / "var"),
        PLATFORM_SIM_URL="http://127.0.0.1:9",  # nothing listens there: accounts without credentials
        LOG_LEVEL="CRITICAL",
        # the seed's notices email (competitor alerts): kept in memory, so stdout stays the JSON answer
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    # when
    result = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_demo_smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # then
    assert result.returncode == 0, result.stderr[-3000:]
    statuses = json.loads(result.stdout)
    assert statuses["owner@demo.kawo.test login"] == 302
    assert statuses["agency-editor@demo.kawo.test login"] == 302
    pages = [key for key in statuses if " /" in key]
    assert len(pages) > 20, pages
    broken = {key: code for key, code in statuses.items() if code >= 500}
    assert not broken, broken
    owner_ok = [k for k in pages if k.startswith("owner@") and statuses[k] == 200]
    assert len(owner_ok) > 15, statuses
    # the demo's posts (drafts, in review, changes requested, scheduled) open: page, approval page, API
    post_pages = [k for k in owner_ok if "/posts/" in k and k.endswith(")")]
    for status in ("draft", "in_review", "scheduled"):
        assert any(k.endswith(f"({status})") and "/approvals/posts/" in k for k in post_pages), status
    assert len(post_pages) > 20, post_pages
