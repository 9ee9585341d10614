"""The locks install exactly on a fresh machine, whatever pip it has and whatever the index holds.

A fresh Debian machine has Python 3.11's own pip (23.x). That pip, asked for
`pip install --require-hashes -r requirements-dev.lock`, re-resolves the extra jusText asks for
(`lxml[html_clean]`) against the index, takes the newest lxml there and refuses it as unpinned:
the install worked only while the index held no lxml newer than the lock. `bin/install-lock` (what
the Makefile and the Dockerfile run) installs the lock's lines and resolves nothing.

The test makes "the index has moved on" true on this machine: a local index (pip's `--no-index
--find-links`) holding the locked wheels of jusText, lxml and lxml_html_clean and a newer lxml
(a real, built wheel `lxml-99.0-py3-none-any.whl`), and a venv made by `python -m venv` with the
pip the interpreter bundles, never upgraded. The lock it installs is the real lock's own lines for
those three packages, hashes and all.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("justext", "lxml", "lxml-html-clean")


def lock_blocks(lock: Path, names: tuple[str, ...]) -> str:
    """The lines of `lock` that pin `names` (each with its continuation lines of hashes)."""
    out, keep = [], False
    for line in lock.read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name = re.split(r"[=\[ ;]", line, maxsplit=1)[0].lower().replace("_", "-")
            keep = name in names
        if keep and not line.lstrip().startswith("#"):
            out.append(line)
    text = "\n".join(out) + "\n"
    for name in names:
        assert re.search(rf"^{re.escape(name)}==", text, re.M), f"{name} is not in {lock.name}"
    return text


def dummy_wheel(folder: Path, name: str, version: str) -> Path:
    """A real (installable) pure-Python wheel of `name` at `version`, with a valid RECORD."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}_placeholder.py": b"# not the real package\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: reex-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def run(*args, env=None, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="module")
def moved_on_index(tmp_path_factory) -> tuple[Path, Path]:
    """(a sub-lock of the real dev lock, a local index holding its wheels and a newer lxml)."""
    here = tmp_path_factory.mktemp("index")
    sublock = here / "sub.lock"
    sublock.write_text(lock_blocks(ROOT / "requirements-dev.lock", PACKAGES))
    wheels = here / "wheels"
    wheels.mkdir()
    # The locked files themselves, checked against the lock's hashes (pip's cache serves them
    # after the first run; the index is a package registry this machine reaches).
    run(
        sys.executable,
        "-m",
        "pip",
        "--disable-pip-version-check",
        "download",
        "--quiet",
        "--no-deps",
        "--require-hashes",
        "--dest",
        str(wheels),
        "--requirement",
        str(sublock),
    )
    dummy_wheel(wheels, "lxml", "99.0")
    return sublock, wheels


def fresh_venv(folder: Path) -> Path:
    """A venv with the pip the interpreter bundles (ensurepip), never upgraded."""
    base = getattr(sys, "_base_executable", sys.executable)
    run(base, "-m", "venv", str(folder))
    return folder / "bin" / "python"


def index_env(wheels: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(
        # No machine-wide pip.conf (extra indexes, find-links, constraints): this index only.
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_NO_CACHE_DIR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def installed_version(python: Path, name: str) -> str:
    return run(
        python, "-c", f"import importlib.metadata as m; print(m.version({name!r}))"
    ).stdout.strip()


def test_the_lock_installs_exactly_with_the_bundled_pip_when_the_index_has_a_newer_lxml(
    moved_on_index, tmp_path
):
    sublock, wheels = moved_on_index
    python = fresh_venv(tmp_path / "venv")
    env = index_env(wheels)
    bundled = run(python, "-m", "pip", "--version").stdout.split()[1]
    import ensurepip

    assert bundled == ensurepip.version(), "the venv's pip must be the interpreter's own"

    done = run(str(ROOT / "bin" / "install-lock"), str(python), str(sublock), env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert installed_version(python, "lxml") == "6.1.3"
    assert installed_version(python, "justext") == "3.0.2"
    assert installed_version(python, "lxml-html-clean") == "0.4.6"
    # jusText imports with the extra it needs in place: the archive's extractor would run.
    run(python, "-c", "import justext, lxml_html_clean; from lxml import etree")


def test_the_index_really_has_moved_on_for_a_resolving_install(moved_on_index, tmp_path):
    """The control: the same index and lock, installed the way the Makefile used to
    (`pip install --require-hashes -r LOCK`, which resolves), does not give the locked lxml.
    pip 23.x refuses the newer lxml as unpinned; a pip that resolves extras properly keeps the
    pin. Either way the dummy wheel must have been seen, or the test above proves nothing."""
    sublock, wheels = moved_on_index
    python = fresh_venv(tmp_path / "venv")
    env = index_env(wheels)
    done = run(
        python,
        "-m",
        "pip",
        "install",
        "--require-hashes",
        "--requirement",
        str(sublock),
        env=env,
        check=False,
    )
    major = int(run(python, "-m", "pip", "--version").stdout.split()[1].split(".")[0])
    if major < 24:
        assert done.returncode != 0
        assert "lxml" in done.stderr
        assert "99.0" in done.stderr or "must have their versions pinned" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert installed_version(python, "lxml") == "6.1.3"


def test_the_makefile_and_the_dockerfile_install_through_install_lock():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "./bin/install-lock $(BIN)/python requirements-dev.lock" in makefile
    assert "install-lock python requirements.lock" in dockerfile
    for text in (makefile, dockerfile):
        assert not re.search(r"pip install[^\n]*--require-hashes", text), (
            "a resolving `pip install --require-hashes` is back: use bin/install-lock"
        )
