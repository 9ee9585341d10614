"""The hashed locks agree with the files people edit: every `name==version` pinned in
requirements.txt is in requirements.lock at that version, and every pin of requirements-dev.txt
(and, through `-r`, requirements.txt) is in requirements-dev.lock. When they disagree the failure
says what to run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\#]+)")
HOW_TO_FIX = "Run `make lock` and commit requirements.lock and requirements-dev.lock."


def canonical(name: str) -> str:
    """PEP 503: case, `-`, `_` and `.` do not matter (`lxml_html_clean` is `lxml-html-clean`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """`name==version` lines of a requirements file, following `-r` includes."""
    found: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            found.update(pins(path.parent / line.split(None, 1)[1]))
        elif match := PIN.match(line):
            found[canonical(match[1])] = match[2]
    return found


def locked(path: Path) -> dict[str, set[str]]:
    """Every name in a lock with its versions (a universal lock may hold two, under markers),
    each checked to carry at least one hash."""
    versions: dict[str, set[str]] = {}
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        if match := PIN.match(line):
            versions.setdefault(canonical(match[1]), set()).add(match[2])
            following = lines[i + 1] if i + 1 < len(lines) else ""
            assert "--hash=sha256:" in following, f"{path.name}: {line.strip()} has no hash"
    return versions


def disagreements(inputs: Path, lock: Path) -> list[str]:
    have = locked(lock)
    problems = []
    for name, version in sorted(pins(inputs).items()):
        if name not in have:
            problems.append(f"{name}=={version} is pinned in {inputs.name} but not in {lock.name}")
        elif version not in have[name]:
            got = ", ".join(sorted(have[name]))
            problems.append(f"{inputs.name} pins {name}=={version}, {lock.name} has {got}")
    return problems


@pytest.mark.parametrize(
    ("inputs", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_lock_has_every_pin_at_its_version(inputs, lock):
    problems = disagreements(ROOT / inputs, ROOT / lock)
    assert not problems, "\n".join([*problems, HOW_TO_FIX])


def test_runtime_and_dev_locks_agree_on_shared_packages():
    runtime, dev = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")
    differ = [
        f"{n}: {sorted(runtime[n])} vs {sorted(dev[n])}"
        for n in runtime
        if dev.get(n) != runtime[n]
    ]
    assert not differ, "\n".join([*differ, HOW_TO_FIX])


def test_the_extractor_dependency_pip_23_misses_is_locked_for_everyone():
    # jusText asks for lxml[html_clean]; pip 23.x drops that extra, and without the package every
    # archive task dies at import. It must be a plain line of the runtime lock.
    assert "lxml-html-clean" in locked(ROOT / "requirements.lock")


def test_a_changed_pin_is_reported_with_the_command_to_run(tmp_path):
    inputs = tmp_path / "requirements.txt"
    inputs.write_text("Django==0.0.1\nlxml_html_clean==0.4.6\nnot-locked-yet==1.0\n")
    problems = disagreements(inputs, ROOT / "requirements.lock")
    assert any(
        p.startswith("requirements.txt pins django==0.0.1, requirements.lock has ")
        for p in problems
    )
    assert (
        "not-locked-yet==1.0 is pinned in requirements.txt but not in requirements.lock" in problems
    )
    assert not any("lxml-html-clean" in p for p in problems)
