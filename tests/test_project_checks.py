"""Project-level checks that CI must keep green: production settings pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KAWO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="kawo.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/kawo",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="kawo.example.com",
        KAWO_FERNET_KEYS=Fernet.generate_key().decode(),
    )
    env.update(overrides)
    return env


def test_check_deploy_with_production_settings_prints_no_warnings():
    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "KAWO_FERNET_KEYS"])
def test_production_refuses_to_start_without_required_environment(missing):
    env = _production_env()
    env.pop(missing)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_apps_import_one_way_down_the_layers_of_pyproject():
    # DESIGN.md "Layers": the import-linter contract in pyproject.toml (scripts/test.sh runs it too)
    lint_imports = Path(sys.executable).parent / "lint-imports"
    # when
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout
