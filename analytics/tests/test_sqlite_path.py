"""The demo runs on SQLite (`make run` without DATABASE_URL): the analytics migration and the ingest path
must work there too (an ordinary snapshot table, executemany upserts, rollups picked in Python)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_and_ingest_on_sqlite(tmp_path):
    # given a fresh SQLite database and the run command's settings
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kawo.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'analytics.sqlite3'}",
        KAWO_VAR_DIR=str(tmp_path / "var"),
        LOG_LEVEL="CRITICAL",
    )
    # when
    result = subprocess.run(
        [sys.executable, "-m", "analytics.tests.sqlite_ingest_smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then: the same batch twice is stored once; the day is Shanghai's; the later reading of the day wins
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["vendor"] == "sqlite"
    assert found["received"] == 3 and found["snapshots"] == 3
    assert found["account_days"] == [["2027-01-02", 105.0]]
    assert found["post_days"] == 1 and found["unavailable"] == 1
    assert found["daily"] == [["2027-01-02", 105.0]]
    assert found["partitions_created"] == []
