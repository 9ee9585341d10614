"""docker-compose.yml stays true to the project: every command and environment name it passes
exists here."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = {name: svc for name, svc in COMPOSE["services"].items() if "build" in svc}
SETTINGS_SOURCE = (ROOT / "reex" / "settings.py").read_text()
READ_NAMES = set(
    re.findall(r"""env_(?:str|bool|int|list)\(\s*["']([A-Z0-9_]+)["']""", SETTINGS_SOURCE)
)
READ_NAMES |= set(re.findall(r"""os\.environ\.get\(\s*["']([A-Z0-9_]+)["']""", SETTINGS_SOURCE))
READ_NAMES |= set(re.findall(r"""env=["']([A-Z0-9_]+)["']""", SETTINGS_SOURCE))


def test_there_are_web_worker_beat_db_and_redis_with_health_checks():
    services = COMPOSE["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name


def test_every_environment_name_passed_to_the_app_is_read_by_the_settings():
    for name, svc in APP_SERVICES.items():
        for key in svc["environment"]:
            assert key in READ_NAMES, f"{name} passes {key}, which reex/settings.py never reads"


def test_every_app_command_exists_in_the_project():
    commands = get_commands()
    for name, svc in APP_SERVICES.items():
        argv = svc["command"]
        if argv[:2] == ["python", "manage.py"]:
            assert argv[2] in commands, f"{name}: manage.py {argv[2]} does not exist"
        elif argv[0] == "gunicorn":
            module, _, attr = argv[1].partition(":")
            assert callable(getattr(importlib.import_module(module), attr)), name
        elif argv[0] == "celery":
            app_module = argv[argv.index("-A") + 1]
            assert importlib.import_module(app_module).celery_app.main == "reex"
            assert argv[argv.index("-A") + 2] in {"worker", "beat"}
        else:
            raise AssertionError(f"{name}: unknown command {argv}")


def test_the_web_health_check_probes_a_real_path():
    from django.urls import resolve

    probe = " ".join(COMPOSE["services"]["web"]["healthcheck"]["test"])
    path = re.search(r"127\.0\.0\.1:8000(/[^'\"]*)", probe).group(1)
    assert resolve(path).url_name == "healthz"
