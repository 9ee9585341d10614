"""Fixtures for real outside parts: a local HTTP origin and a real Celery worker process.

Loaded from tests/conftest.py (`pytest_plugins = ["tests.worker"]`).

- `origin`: a threaded pytest-httpserver on 127.0.0.1, and REEX_FETCH_ALLOWLIST set to exactly
  its "127.0.0.1:PORT" for the test (every other loopback form and port stays refused).
- `celery_worker_proc`: `celery -A reex worker --pool threads` as a subprocess on the same test
  database and broker, consuming a queue of its own (one per xdist worker), with the origin
  allow-listed in its environment. Tests using it are `django_db(transaction=True)` and marked
  `worker`. It yields a `WorkerProcess` with `.stop()`, `.kill()` and `.restart()`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

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
