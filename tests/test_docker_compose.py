"""docker-compose.yml stays true to the project: every command and environment name it passes
exists here."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
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


# --- issue 12: the distributed stack --------------------------------------------------------

SERVICES = COMPOSE["services"]


def _expand(value: str, given: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}, as compose substitutes them."""

    def sub(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2) or "", m.group(3) or ""
        if name in given and (given[name] or op != ":-"):
            return given[name]
        if op == ":?":
            raise AssertionError(f"{name} must be set: {arg}")
        return arg if op == ":-" else ""

    return re.sub(r"\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}", sub, str(value))


def app_environment(service: str, given: dict[str, str]) -> dict[str, str]:
    return {k: _expand(v, given) for k, v in SERVICES[service]["environment"].items()}


def test_the_stack_has_an_s3_store_with_a_bucket_and_health_checks():
    assert {"minio", "minio-bucket", "migrate"} <= set(SERVICES)
    assert "healthcheck" in SERVICES["minio"]
    assert SERVICES["minio-bucket"]["depends_on"]["minio"]["condition"] == "service_healthy"
    # The bucket job creates the bucket the app is told to use, and keeps it private.
    job = " ".join(SERVICES["minio-bucket"]["command"])
    assert "mc mb" in job and "mc anonymous set none" in job
    assert "${REEX_S3_BUCKET}" in job.replace("$$", "$")
    app_env = SERVICES["web"]["environment"]
    assert SERVICES["minio-bucket"]["environment"]["REEX_S3_BUCKET"] == app_env["REEX_S3_BUCKET"]
    assert SERVICES["minio"]["environment"]["MINIO_ROOT_USER"] == app_env["REEX_S3_ACCESS_KEY"]
    assert SERVICES["minio"]["environment"]["MINIO_ROOT_PASSWORD"] == app_env["REEX_S3_SECRET_KEY"]


def test_migrations_run_before_web_worker_and_beat():
    for name in ("web", "worker", "beat"):
        needs = SERVICES[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully", name
        assert needs["db"]["condition"] == "service_healthy", name
        assert needs["redis"]["condition"] == "service_healthy", name
        assert needs["minio-bucket"]["condition"] == "service_completed_successfully", name
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert "migrate" not in SERVICES["migrate"]["depends_on"]


def test_web_is_gunicorn_and_the_worker_runs_an_io_pool():
    assert SERVICES["web"]["command"][0] == "gunicorn"
    worker = SERVICES["worker"]["command"]
    assert worker[worker.index("--pool") + 1] in {"threads", "gevent", "eventlet"}
    # Each worker's health check pings that worker by its own node name, not any of the cluster.
    for name in ("worker", "extractor"):
        command = SERVICES[name]["command"]
        node = command[command.index("-n") + 1].replace("%h", "$$HOSTNAME")
        assert f"-d {node}" in " ".join(SERVICES[name]["healthcheck"]["test"]), name


def test_the_compose_environment_gives_settings_with_s3_storage_and_json_logs():
    """Import reex.settings in a fresh interpreter with exactly the web service's environment
    (compose defaults substituted): the archive goes to the S3 store, logs are JSON, no
    setting names a worker pool (each command line does: reex/settings.py), and `check --deploy`-style refusals do not fire."""
    env = app_environment("web", {"SECRET_KEY": "k" + "x7Qp2" * 12})
    env["PATH"] = os.environ.get("PATH", "")
    env["REEX_VAR_DIR"] = str(ROOT / "var" / "compose-check")
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "from django.core.files.storage import default_storage;"
        "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'],"
        "'bucket': default_storage.bucket_name, 'endpoint': default_storage.endpoint_url,"
        "'log': settings.LOGGING['handlers']['console']['formatter'],"
        "'pool': getattr(settings, 'CELERY_WORKER_POOL', None),"
        "'broker': settings.CELERY_BROKER_URL}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "reex.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {
        "backend": "storages.backends.s3.S3Storage",
        "bucket": "reex-archive",
        "endpoint": "http://minio:9000",
        "log": "json",
        "pool": None,
        "broker": "redis://redis:6379/0",
    }


def test_the_production_example_names_the_s3_and_log_settings():
    example = (ROOT / "deploy" / "production.env.example").read_text()
    names = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.M))
    assert {
        "REEX_S3_BUCKET",
        "REEX_S3_ACCESS_KEY",
        "REEX_S3_SECRET_KEY",
        "REEX_LOG_FORMAT",
    } <= names
    assert names <= READ_NAMES | {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}
