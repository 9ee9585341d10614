"""Settings from the environment: production passes `check --deploy`; no key, no start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Not the test run's own markers: the child must behave like a plain manage.py call.
    dropped = {"PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_XDIST_WORKER"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    env = {}
    for line in (ROOT / "deploy" / "production.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    # The check needs no server; keep whatever database the suite uses.
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL", "sqlite:////tmp/reex-deploy-check.sqlite3")
    return env


def test_check_deploy_is_clean_with_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_key_the_migration_check_still_runs():
    # A fresh checkout (no .env, no key): the question "has every model change a migration?"
    # needs no secret, and gets its answer.
    result = manage("makemigrations", "--check", "--dry-run", DEBUG="0", SECRET_KEY="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_without_a_secret_key_and_debug_off_it_refuses_to_start():
    result = manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_malformed_boolean_is_named():
    result = manage("check", DEBUG="maybe", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_the_placeholder_secret_key_of_the_example_refuses_to_start():
    env = production_env()
    example = (ROOT / "deploy" / "production.env.example").read_text()
    env["SECRET_KEY"] = example.split("SECRET_KEY=", 1)[1].splitlines()[0]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder" in result.stderr


def test_a_key_of_one_repeated_character_refuses_to_start():
    result = manage("check", DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder" in result.stderr


def test_an_unknown_capture_mode_refuses_to_start():
    result = manage("check", DEBUG="1", REEX_CAPTURE_MODE="screenshot")
    assert result.returncode != 0
    assert "REEX_CAPTURE_MODE must be http, browser or auto (got 'screenshot')" in result.stderr


def _redis_url_seen(**env: str) -> str:
    shown = manage(
        "shell", "-c", "from django.conf import settings; print(settings.REDIS_URL)", **env
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.strip().splitlines()[-1]  # after the shell's "N objects imported"


def test_each_xdist_worker_has_a_redis_database_of_its_own():
    # One worker's cache.clear() (FLUSHDB) must not reach another's kept token checks.
    url = "redis://127.0.0.1:6379/0"
    as_gw0 = _redis_url_seen(PYTEST_VERSION="x", PYTEST_XDIST_WORKER="gw0", REDIS_URL=url)
    as_gw1 = _redis_url_seen(PYTEST_VERSION="x", PYTEST_XDIST_WORKER="gw1", REDIS_URL=url)
    assert (as_gw0, as_gw1) == ("redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/2")
    # Outside the test run the server's URL is used as given.
    assert _redis_url_seen(DEBUG="1", REDIS_URL=url) == url
