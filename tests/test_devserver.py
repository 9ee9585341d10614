"""`make run`'s script (bin/devserver), run for real: the "serving on" line comes after the
worker's and the web server's banners, and Ctrl-C (SIGINT to the whole process group, as a
terminal sends it) ends everything with exit code 0, so make reports no error (issue 16)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_devserver(tmp_path) -> tuple[subprocess.Popen, int]:
    """bin/devserver in a session of its own, on its own SQLite file and embedded broker
    (nothing shared with the test run), once it says it is serving."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update(
        DEBUG="1",
        SECRET_KEY="devserver-test-key-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        REEX_BROKER_DIR=str(tmp_path / "broker"),
        PORT=str(port),
    )
    with (tmp_path / "out.log").open("wb") as log:
        proc = subprocess.Popen(
            # As the Makefile runs it: a shell that execs the script.
            ["/bin/sh", "-c", "PORT=$PORT exec ./bin/devserver"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "serving on" not in output(tmp_path):
            assert proc.poll() is None, f"devserver exited early:\n{output(tmp_path)}"
            time.sleep(0.3)
        assert "reex is serving on" in output(tmp_path), output(tmp_path)
    except BaseException:
        stop_group(proc)
        raise
    return proc, port


def output(tmp_path) -> str:
    return (tmp_path / "out.log").read_text(errors="replace")


def stop_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def group_members(pgid: int) -> list[str]:
    ps = subprocess.run(
        ["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True, check=False
    )
    return [line.strip() for line in ps.stdout.splitlines() if line.strip()]


def test_devserver_announces_after_both_banners_and_ctrl_c_exits_cleanly(tmp_path):
    proc, port = start_devserver(tmp_path)
    try:
        os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(30)
    finally:
        stop_group(proc)
    out = output(tmp_path)
    serving = out.index("reex is serving on")
    assert out.index(" ready.") < serving  # after the worker's banner and its ready line
    assert out.index("Quit the server with") < serving  # and after the web server's
    assert f"http://127.0.0.1:{port}/" in out[serving:]
    assert code == 0, out[-2000:]


def test_when_one_part_dies_the_devserver_stops_the_rest_and_exits(tmp_path):
    """The web server killed on its own (not Ctrl-C): the workers are stopped and the script
    ends, rather than leaving a terminal that looks alive with nothing serving."""
    proc, port = start_devserver(tmp_path)
    try:
        web = subprocess.run(
            ["pgrep", "-g", str(proc.pid), "-f", f"runserver 127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        assert web, group_members(proc.pid)
        for pid in web:
            os.kill(int(pid), signal.SIGKILL)
        proc.wait(30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and group_members(proc.pid):
            time.sleep(0.3)
        assert group_members(proc.pid) == []
    finally:
        stop_group(proc)


def test_make_run_execs_the_devserver():
    """`make run`'s last step replaces make's shell with bin/devserver (a shell left waiting
    would die of Ctrl-C first and make would print `*** Error`)."""
    dry = subprocess.run(
        ["make", "-n", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert "exec ./bin/devserver" in dry
