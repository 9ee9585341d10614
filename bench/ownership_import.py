"""Benchmark of the ownership imports: `python -m bench.ownership_import [--n 100000]`.

On a throwaway database holding the seed register, generates one synthetic ownership graph of
N entities (a third with LEIs, a fifth with websites, one in eleven an SOE, a few named like
seed entities so that name candidates arise) and 1.5·N ownership edges (stakes exact, as a
band, or unknown), written twice: as FollowTheMoney JSON lines and as BODS 0.4 statements
(a JSON array). Then measures, each command in its own process (so that its peak memory is
its own, read by wait4):

* `import_ftm` of the FtM file, and again (must be "0 added, N unchanged");
* `import_bods` of the BODS file into an empty register (seeds only), and again;
* a GLEIF relationship-record CSV of N/6 rows naming the LEIs, `import_gleif`.

Aim (issue 22): each import under 60 s and 500 MiB peak RSS for N = 100,000.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._setup import django_environment

django_environment()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench._db import create_throwaway_database, database_url  # noqa: E402

SEED_NAMES = ["Xinhua News Agency", "Baotou Steel Group", "Lynas Rare Earths", "Reuters"]
AIM_SECONDS, AIM_MIB = 60, 500


def make_lei(i: int) -> str:
    base = f"9845{i:014d}"
    n = int("".join(str(int(c, 36)) for c in base + "00"))
    return f"{base}{98 - n % 97:02d}"


def graph(n: int, seed: int = 20251202):
    """(entities, edges): entities as dicts, edges as (owner, owned, stake) with stake an
    exact string, a (low, high) band or None. 1.5·n edges, deterministic."""
    rng = random.Random(seed)
    entities = []
    for i in range(n):
        entities.append(
            {
                "i": i,
                "name": SEED_NAMES[i % 4] if i % 997 == 0 else f"Synthetic Metals {i} Co., Ltd.",
                "country": rng.choice(["CN", "AU", "US", "CA"]),
                "lei": make_lei(i) if i % 3 == 0 else "",
                "website": f"metals{i}.example" if i % 5 == 0 else "",
                "soe": i % 11 == 0,
            }
        )
    edges = []
    for i in range(1, n):
        parents = [rng.randrange(i)]
        if i % 2 == 0 and i > 1:
            other = rng.randrange(i)
            if other != parents[0]:
                parents.append(other)
        for p in parents:
            stake = rng.choice(["100", "51", "75.5", "30", "12.25", None, (25, 50)])
            edges.append((p, i, stake))
    return entities, edges


def write_ftm(path: Path, entities, edges) -> None:
    with path.open("w", encoding="utf-8") as out:
        for e in entities:
            props: dict = {"name": [e["name"]], "country": [e["country"].lower()]}
            if e["lei"]:
                props["leiCode"] = [e["lei"]]
            if e["website"]:
                props["website"] = [f"https://{e['website']}/"]
            if e["soe"]:
                props["topics"] = ["gov.soe"]
            out.write(json.dumps({"id": f"syn-{e['i']}", "schema": "Company", "properties": props}))
            out.write("\n")
        for p, i, stake in edges:
            props = {"owner": [f"syn-{p}"], "asset": [f"syn-{i}"]}
            if isinstance(stake, str):
                props["percentage"] = [stake]
            out.write(
                json.dumps({"id": f"own-{p}-{i}", "schema": "Ownership", "properties": props})
            )
            out.write("\n")


def write_bods(path: Path, entities, edges) -> None:
    """The same graph as BODS 0.4 statements (a JSON array), written one statement a line."""
    published = {"publicationDate": "2026-12-01", "bodsVersion": "0.4", "publisher": {"name": "x"}}
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        first = True

        def put(statement: dict) -> None:
            nonlocal first
            out.write(("" if first else ",\n") + json.dumps(statement))
            first = False

        for e in entities:
            details: dict = {
                "isComponent": False,
                "entityType": {
                    "type": "registeredEntity",
                    "details": "State-owned enterprise" if e["soe"] else "Private company",
                },
                "name": e["name"],
                "jurisdiction": {"name": e["country"], "code": e["country"]},
            }
            ids = []
            if e["lei"]:
                ids.append({"id": e["lei"], "scheme": "XI-LEI"})
            if e["website"]:
                ids.append({"id": e["website"], "schemeName": "Web domain"})
            if ids:
                details["identifiers"] = ids
            put(
                {
                    "statementId": f"st-syn-{e['i']}",
                    "statementDate": "2026-12-01",
                    "recordId": f"syn-{e['i']}",
                    "recordType": "entity",
                    "recordStatus": "new",
                    "declarationSubject": f"syn-{e['i']}",
                    "recordDetails": details,
                    "publicationDetails": published,
                }
            )
        for p, i, stake in edges:
            interest: dict = {"type": "shareholding", "directOrIndirect": "direct"}
            if isinstance(stake, str):
                interest["share"] = {"exact": float(stake)}
            elif stake:
                interest["share"] = {"exclusiveMinimum": stake[0], "maximum": stake[1]}
            else:
                interest["type"] = "unknownInterest"
            put(
                {
                    "statementId": f"st-own-{p}-{i}",
                    "statementDate": "2026-12-01",
                    "recordId": f"own-{p}-{i}",
                    "recordType": "relationship",
                    "recordStatus": "new",
                    "declarationSubject": f"syn-{i}",
                    "recordDetails": {
                        "isComponent": False,
                        "subject": f"syn-{i}",
                        "interestedParty": f"syn-{p}",
                        "interests": [interest],
                    },
                    "source": {"type": ["thirdParty"]},
                    "publicationDetails": published,
                }
            )
        out.write("\n]\n")


def write_rr(path: Path, leis: list[str], seed: int = 20251202) -> int:
    rng = random.Random(seed)
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
        for i in range(1, len(leis), 2):
            writer.writerow(
                [
                    leis[i],
                    leis[rng.randrange(i)],
                    "IS_DIRECTLY_CONSOLIDATED_BY",
                    "ACTIVE",
                    "PUBLISHED",
                    "FULLY_CORROBORATED",
                ]
            )
            rows += 1
    return rows


def run(label: str, env: dict, *args: str) -> tuple[float, float]:
    """`manage.py <args>` in its own process: (wall seconds, peak RSS MiB); prints both and
    the command's summary line."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "manage.py"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the progress bars
        text=True,
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    verdict = "within" if wall < AIM_SECONDS and rss < AIM_MIB else "OVER"
    print(
        f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU (the command's own process; PostgreSQL's "
        f"is apart), peak RSS {rss:.0f} MiB ({verdict} the aim)",
        flush=True,
    )
    print(f"  {out.strip().splitlines()[0] if out.strip() else '(no output)'}", flush=True)
    if proc.returncode:
        raise SystemExit(f"{label} failed (exit {proc.returncode})")
    return wall, rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="entities (default 100,000)")
    parser.add_argument("--db", default="ownership", help="throwaway database suffix")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args(argv)
    old_name = create_throwaway_database(args.db)
    env = dict(os.environ, DATABASE_URL=database_url(settings.DATABASES["default"]))
    try:
        call_command("load_seeds", verbosity=0)
        entities, edges = graph(args.n)
        with tempfile.TemporaryDirectory() as tmp:
            ftm = Path(tmp) / f"synthetic-{args.n}.ftm.json"
            bods = Path(tmp) / f"synthetic-{args.n}.bods.json"
            write_ftm(ftm, entities, edges)
            write_bods(bods, entities, edges)
            leis = [e["lei"] for e in entities if e["lei"]]
            del entities, edges
            print(
                f"files: {args.n} entities, {len(leis)} with LEIs, edges 1.5 per entity; "
                f"FtM {ftm.stat().st_size / 2**20:.1f} MiB, "
                f"BODS {bods.stat().st_size / 2**20:.1f} MiB",
                flush=True,
            )
            run("import_ftm", env, "import_ftm", str(ftm))
            run("import_ftm again (no-op)", env, "import_ftm", str(ftm))
            rr = Path(tmp) / "synthetic-rr.csv"
            rows = write_rr(rr, leis)
            run(f"import_gleif ({rows} RR rows)", env, "import_gleif", "--relationships", str(rr))
            # BODS into a register that holds the seeds only.
            call_command("flush", interactive=False, verbosity=0)
            call_command("load_seeds", verbosity=0)
            run("import_bods", env, "import_bods", str(bods))
            run("import_bods again (no-op)", env, "import_bods", str(bods))
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"database: {connection.vendor} ({settings.DATABASES['default']['ENGINE']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
