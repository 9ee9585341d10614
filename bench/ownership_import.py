"""Benchmark of the ownership imports: `python -m bench.ownership_import [--n 10000]`.

On a throwaway database holding the seed register, generates a FollowTheMoney file of N
companies (a third with LEIs, a fifth with websites, a few named like seed entities so that
name candidates arise) and about 1.2·N Ownership edges, then measures:

* `import_ftm` of that file (wall time, peak Python memory by tracemalloc, peak RSS), and its
  summary line;
* the same file again (must be "0 added, N unchanged");
* a GLEIF relationship-record CSV of N/2 rows naming those LEIs;
* the whole-graph FtM export and the BODS 0.4 export with its schema validation.

Run it under `/usr/bin/time -v` for the process's own peak RSS as the OS counts it.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from io import StringIO
from pathlib import Path

from bench._setup import django_environment

django_environment()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench._db import create_throwaway_database  # noqa: E402

RNG = random.Random(20251202)
SEED_NAMES = ["Xinhua News Agency", "Baotou Steel Group", "Lynas Rare Earths", "Reuters"]


def make_lei(i: int) -> str:
    base = f"9845{i:014d}"
    n = int("".join(str(int(c, 36)) for c in base + "00"))
    return f"{base}{98 - n % 97:02d}"


def write_ftm(path: Path, n: int) -> tuple[int, list[str]]:
    leis: list[str] = []
    edges = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            name = SEED_NAMES[i % 4] if i % 997 == 0 else f"Synthetic Metals {i} Co., Ltd."
            props: dict = {"name": [name], "country": [RNG.choice(["cn", "au", "us", "ca"])]}
            if i % 3 == 0:
                props["leiCode"] = [make_lei(i)]
                leis.append(props["leiCode"][0])
            if i % 5 == 0:
                props["website"] = [f"https://metals{i}.example/"]
            if i % 11 == 0:
                props["topics"] = ["gov.soe"]
            out.write(json.dumps({"id": f"syn-{i}", "schema": "Company", "properties": props}))
            out.write("\n")
        for i in range(1, n):
            parents = {RNG.randrange(i)}
            if i % 5 == 0:
                parents.add(RNG.randrange(i))
            for p in parents:
                pct = RNG.choice(["100", "51", "75.5", "30", "12.25", ""])
                props = {"owner": [f"syn-{p}"], "asset": [f"syn-{i}"]}
                if pct:
                    props["percentage"] = [pct]
                out.write(
                    json.dumps({"id": f"own-{p}-{i}", "schema": "Ownership", "properties": props})
                )
                out.write("\n")
                edges += 1
    return edges, leis


def write_rr(path: Path, leis: list[str]) -> int:
    columns = [
        "Relationship.StartNode.NodeID",
        "Relationship.EndNode.NodeID",
        "Relationship.RelationshipType",
        "Relationship.RelationshipStatus",
        "Registration.RegistrationStatus",
        "Registration.ValidationSources",
    ]
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(1, len(leis)):
            if i % 2:
                writer.writerow(
                    [
                        leis[i],
                        leis[RNG.randrange(i)],
                        "IS_DIRECTLY_CONSOLIDATED_BY",
                        "ACTIVE",
                        "PUBLISHED",
                        "FULLY_CORROBORATED",
                    ]
                )
                rows += 1
    return rows


def timed(label: str, fn, *, trace: bool = False):
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    peak = ""
    if trace:
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak = f", peak Python memory {top / 2**20:.1f} MiB (tracemalloc)"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label}: {wall:.2f} s{peak}, process peak RSS so far {rss:.0f} MiB", flush=True)
    return result


def command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="entities (default 10,000)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--no-trace", action="store_true", help="skip tracemalloc (faster)")
    args = parser.parse_args(argv)
    old_name = create_throwaway_database("ownership")
    try:
        call_command("load_seeds", verbosity=0)
        with tempfile.TemporaryDirectory() as tmp:
            ftm = Path(tmp) / f"synthetic-{args.n}.ftm.json"
            n_edges, leis = write_ftm(ftm, args.n)
            print(
                f"file: {args.n} entities, {n_edges} ownership edges, "
                f"{ftm.stat().st_size / 2**20:.1f} MiB",
                flush=True,
            )
            print(
                timed(
                    "import_ftm", lambda: command("import_ftm", str(ftm)), trace=not args.no_trace
                )
            )
            print(timed("import_ftm again (no-op)", lambda: command("import_ftm", str(ftm))))
            rr = Path(tmp) / "synthetic-rr.csv"
            rows = write_rr(rr, leis)
            print(f"GLEIF file: {rows} relationship records")
            print(
                timed("import_gleif", lambda: command("import_gleif", "--relationships", str(rr)))
            )
            out = Path(tmp) / "all.ftm.json"
            timed("export_ftm (whole graph)", lambda: call_command("export_ftm", "-o", str(out)))
            bods = Path(tmp) / "all.bods.json"
            timed(
                "export_bods (whole graph, validated)",
                lambda: call_command("export_bods", "-o", str(bods)),
            )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"database: {connection.vendor} ({settings.DATABASES['default']['ENGINE']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
