"""bin/ensure-graphviz, which `make test` and `make graphviz` run: the dot it finds, and the one
line a person without the right to install gets (the root path runs apt-get: tried by hand on
Debian 12, graphviz 2.42.2 in a few seconds)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bin" / "ensure-graphviz"


@pytest.fixture
def folder():
    """A folder anyone may enter, holding a copy of the script and the few tools it uses."""
    path = Path(tempfile.mkdtemp(prefix="reex-ensure-graphviz-"))
    path.chmod(0o755)
    for tool in ("bash", "env", "id"):
        (path / tool).symlink_to(shutil.which(tool))
    shutil.copy2(SCRIPT, path / "ensure-graphviz")
    yield path
    shutil.rmtree(path)


def run(script: Path, path: str, *, as_nobody: bool = False) -> subprocess.CompletedProcess:
    def drop_root() -> None:  # a user who may not apt-get, like a developer without sudo
        os.setgid(65534)
        os.setuid(65534)

    preexec = drop_root if as_nobody and os.geteuid() == 0 else None
    return subprocess.run(
        [str(script)],
        env={"PATH": path},
        capture_output=True,
        text=True,
        preexec_fn=preexec,
        timeout=30,
    )


def test_prints_the_dot_on_path(folder):
    dot = shutil.which("dot")
    assert dot, "Graphviz dot is not installed: run `make graphviz`"
    (folder / "dot").symlink_to(dot)
    result = run(folder / "ensure-graphviz", str(folder))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(folder / "dot")


def test_without_dot_and_without_root_it_names_the_command_and_stops(folder):
    result = run(folder / "ensure-graphviz", str(folder), as_nobody=True)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "sudo apt-get install graphviz" in result.stderr
    assert "hand-written layout" in result.stderr
