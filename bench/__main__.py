"""Run every benchmark in turn and print its figures: `python -m bench [name ...]`."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "queue",
    "api",
    "archive",
    "capture",
    "scale",
    "proposals",
    "ownership_import",
    "picture",
)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    failed = []
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
            return 2
        print(f"\n=== bench.{name}", flush=True)
        # Each in its own process: each sets up its own throwaway database and servers.
        if subprocess.call([sys.executable, "-m", f"bench.{name}"]) != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
