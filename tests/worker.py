"""Fixtures for real outside parts: a local HTTP origin and a real Celery worker process.

Loaded from tests/conftest.py (`pytest_plugins = ["tests.worker"]`).

- `origin`: a threaded pytest-httpserver on 127.0.0.1, and REEX_FETCH_ALLOWLIST set to exactly
  its "127.0.0.1:PORT" for the test (every other loopback form and port stays refused).
- `celery_worker_proc`: `celery -A reex worker --pool threads` as a subprocess on the same test
  database and broker, consuming queues of its own (one per xdist worker: the archive queue and
  the extraction queue, REEX_EXTRACT_QUEUE), with the origin
  allow-listed in its environment. Tests using it are `django_db(transaction=True)` and marked
  `worker`. It yields a `WorkerProcess` with `.stop()`, `.kill()` and `.restart()`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from pytest_httpserver import HTTPServer

from reex.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def origin_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def origin(origin_server: HTTPServer, settings) -> HTTPServer:
    """The local test origin, allow-listed for this test only."""
    origin_server.clear()
    settings.REEX_FETCH_ALLOWLIST = [f"127.0.0.1:{origin_server.port}"]
    return origin_server


def xdist_suffix() -> str:
    """ "" outside xdist, "_gw0", "_gw1", ... inside it (the suffix Django gives test DBs)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


def queue_name() -> str:
    """A queue per test process, so two xdist workers never consume each other's tasks."""
    return f"reex-test{xdist_suffix() or '_main'}-{os.getpid()}"


def _database_url() -> str:
    """The URL of the database the tests are using right now (Django's test database)."""
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(params['NAME']).resolve()}"
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "127.0.0.1"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{params['NAME']}"


def worker_env(**overrides: str) -> dict[str, str]:
    """The environment of a test worker: same database, broker, queue and storage as the test."""
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DATABASE_URL=_database_url(),
        DATABASE_CONN_MAX_AGE="0",
        SECRET_KEY=settings.SECRET_KEY,
        REEX_CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        REEX_EXTRACT_QUEUE=settings.REEX_EXTRACT_QUEUE,
        REEX_RENDER_QUEUE=settings.REEX_RENDER_QUEUE,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        REEX_FETCH_ALLOWLIST=",".join(settings.REEX_FETCH_ALLOWLIST),
        PYTHONUNBUFFERED="1",
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent
        env["REEX_BROKER_DIR"] = str(folder)
    env.update(overrides)
    return env


@dataclass
class WorkerProcess:
    """A `celery worker --pool threads` subprocess (`pool="prefork"`: as production runs the
    extraction queue). `.stop()` shuts it down warmly, `.kill()` sends SIGKILL (a lost
    worker), `.start()` starts it again with the same environment."""

    env: dict[str, str]
    log_path: Path
    concurrency: int = 4
    process: subprocess.Popen | None = None
    starts: int = field(default=0)
    # "": the archive and extraction queues; "all": and the render queue; "render", "fetch"
    # (the archive queue) or "extract": only that one.
    queues: str = ""
    pool: str = "threads"

    @property
    def name_prefix(self) -> str:
        return f"{self.env['REEX_CELERY_QUEUE']}-{self.queues or 'archive'}-"

    def start(self, timeout: float = 30) -> WorkerProcess:
        self.starts += 1
        queue = self.env["REEX_CELERY_QUEUE"]
        # Both queues: fetching and extraction (production runs a prefork pool for the second).
        queues = f"{queue},{self.env['REEX_EXTRACT_QUEUE']}"
        if self.queues == "all":
            queues += f",{self.env['REEX_RENDER_QUEUE']}"
        elif self.queues == "render":
            queues = self.env["REEX_RENDER_QUEUE"]
        elif self.queues == "fetch":
            queues = queue
        elif self.queues == "extract":
            queues = self.env["REEX_EXTRACT_QUEUE"]
        name = f"{self.name_prefix}{self.starts}"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "reex", "worker",
                "--pool", self.pool, "--concurrency", str(self.concurrency),
                "-Q", queues, "-n", f"{name}@%h",
                "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            ],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        marker = f"{name}@"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.log()}")
            text = self.log()
            if marker in text and " ready." in text.split(marker, 1)[-1]:
                return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"celery worker not ready after {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def restart(self, **overrides: str) -> WorkerProcess:
        self.stop()
        self.env.update(overrides)
        return self.start()


def purge_queue(queue: str) -> None:
    from reex.celery import app

    # A queue that never existed has nothing to purge.
    with app.connection_for_write() as conn, contextlib.suppress(Exception):
        conn.default_channel.queue_purge(queue)


@pytest.fixture
def make_celery_worker(transactional_db, origin, settings, tmp_path) -> Iterator:
    """Factory: `make_celery_worker(REEX_ARCHIVE_STALE_SECONDS="8", ...)` starts a worker with
    extra environment. Every worker started is stopped (killed if it hangs) at teardown, before
    the test database is flushed."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    purge_queue(settings.CELERY_TASK_DEFAULT_QUEUE)
    purge_queue(settings.REEX_EXTRACT_QUEUE)
    purge_queue(settings.REEX_RENDER_QUEUE)
    started: list[WorkerProcess] = []

    def make(
        *,
        concurrency: int = 4,
        start: bool = True,
        queues: str = "",
        pool: str = "threads",
        **overrides: str,
    ) -> WorkerProcess:
        worker = WorkerProcess(
            env=worker_env(**overrides),
            log_path=tmp_path / f"worker-{len(started)}.log",
            concurrency=concurrency,
            queues=queues,
            pool=pool,
        )
        started.append(worker)
        return worker.start() if start else worker

    yield make
    for worker in started:
        worker.stop()


@pytest.fixture
def celery_worker_proc(make_celery_worker) -> WorkerProcess:
    """A real Celery worker (threads pool) on the test database, broker and queue."""
    return make_celery_worker()


@pytest.fixture
def broker_down():
    """Point this test process's Celery app at a broker port where nothing listens."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options)

    def reset_pools() -> None:
        celery_app.close()
        celery_app.amqp._producer_pool = None

    reset_pools()
    conf.broker_url = f"redis://127.0.0.1:{_free_port()}/0"
    conf.broker_transport_options = {"socket_connect_timeout": 1}

    def restore() -> None:
        reset_pools()
        conf.broker_url, conf.broker_transport_options = saved

    yield restore
    if conf.broker_url != saved[0]:
        restore()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    predicate, *, timeout: float = 30, every: float = 0.2, what: str = "condition", worker=None
):
    """Poll `predicate` until it returns something truthy (returned) or `timeout` passes; on
    timeout the failure names `what` and, given a worker, the end of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    detail = f"\nworker log:\n{worker.log()[-4000:]}" if worker is not None else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}{detail}")
