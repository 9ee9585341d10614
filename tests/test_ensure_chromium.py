"""bin/ensure-chromium, which `make test` runs before anything else: the binary it finds, and the
one line a person without the right to install gets (the root path runs apt-get, tried by hand:
see the README)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bin" / "ensure-chromium"


@pytest.fixture
def path_without_chromium():
    """A PATH with the few tools the script uses and no chromium, readable by anyone."""
    folder = Path(tempfile.mkdtemp(prefix="reex-nochromium-"))
    folder.chmod(0o755)
    for tool in ("bash", "env", "id"):
        (folder / tool).symlink_to(shutil.which(tool))
    yield str(folder)
    shutil.rmtree(folder)


def run(env: dict[str, str], *, as_nobody: bool = False) -> subprocess.CompletedProcess:
    """Run the script (as `nobody` when we are root and `as_nobody`); a copy of it, in a folder
    anyone may enter, since a checkout under a private temporary folder is closed to `nobody`."""
    folder = Path(tempfile.mkdtemp(prefix="reex-ensure-"))
    folder.chmod(0o755)
    script = folder / "ensure-chromium"
    shutil.copy2(SCRIPT, script)
    try:
        return _run(script, env, as_nobody=as_nobody)
    finally:
        shutil.rmtree(folder)


def _run(script: Path, env: dict[str, str], *, as_nobody: bool) -> subprocess.CompletedProcess:
    def drop_root() -> None:  # a user who may not apt-get, like a developer without sudo
        os.setgid(65534)
        os.setuid(65534)

    preexec = drop_root if as_nobody and os.geteuid() == 0 else None
    return subprocess.run(
        [str(script)], env=env, capture_output=True, text=True, preexec_fn=preexec, timeout=30
    )


def test_prints_the_named_binary():
    result = run({"PATH": os.environ["PATH"], "REEX_CHROMIUM": shutil.which("bash")})
    assert result.returncode == 0
    assert result.stdout.strip() == shutil.which("bash")


def test_a_named_binary_that_does_not_exist_is_refused_by_name():
    result = run({"PATH": os.environ["PATH"], "REEX_CHROMIUM": "/nowhere/chromium"})
    assert result.returncode == 1
    assert result.stdout == ""
    assert "REEX_CHROMIUM=/nowhere/chromium is not an executable file" in result.stderr


def test_without_chromium_and_without_root_it_says_the_one_command_and_fails(
    path_without_chromium,
):
    result = run({"PATH": path_without_chromium}, as_nobody=True)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "    sudo apt-get install chromium\n" in result.stderr


def test_chromium_on_path_is_found(path_without_chromium):
    fake = Path(path_without_chromium) / "chromium"
    fake.symlink_to(shutil.which("true"))
    result = run({"PATH": path_without_chromium}, as_nobody=True)
    assert result.returncode == 0
    assert result.stdout.strip() == str(fake)
