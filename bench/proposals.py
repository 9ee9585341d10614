"""Benchmark of the claim proposer: `python -m bench.proposals`.

Runs `intake.proposals.propose` on the seed article (seeds/) with the seed entities and their
aliases, and compares its proposals with the seed claims (seeds/claims.yaml) as the gold set, then on two articles written for the benchmark with
hand-annotated gold (bench/dev2/, bench/heldout/: see the header of each claims.yaml). The rules
were written reading the seed article, so its figures are a development score; bench/heldout
is the estimate of how the rules do on an article they have never seen.
No database: the proposer is pure Python, and the seed files are read as load_seeds reads them.

Matching is one-to-one: pairs of (proposal, gold claim) are taken in order of character
overlap (intersection over union of the two spans), best first, each side used once; a pair
counts when the overlap covers at least half of the gold span and at least half of the
proposal (a whole paragraph proposed over three claims matches one of them, not three).

Printed, overall and per claim kind: precision (matched proposals / proposals, by the
proposal's kind), recall (matched gold claims / gold claims, by the gold kind), the mean span
overlap (IoU) of the matched pairs, and how often the proposed kind, origin and subjects agree
with the gold. `--list` prints every proposal and every missed claim.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
KINDS = ("figure", "ownership", "event", "plan")


def load_seed() -> tuple[str, str, list[dict], dict[str, int], list]:
    from intake.proposals import EntityRef

    article = yaml.safe_load((SEEDS / "article.yaml").read_text(encoding="utf-8"))["article"]
    text = (SEEDS / article["text_file"]).read_text(encoding="utf-8")
    gold = yaml.safe_load((SEEDS / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    entities, ids = [], {}
    for name in ("entities.yaml", "outlets.yaml"):
        for row in yaml.safe_load((SEEDS / name).read_text(encoding="utf-8"))["entities"]:
            ids[row["slug"]] = len(ids) + 1
            entities.append(
                EntityRef(
                    id=ids[row["slug"]],
                    name=row["name"],
                    kind=row["kind"],
                    aliases=tuple(str(a) for a in row.get("aliases") or []),
                )
            )
    return text, article, gold, ids, entities


def iou(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, int]:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return (inter / union if union else 0.0), inter


def match(proposals, gold) -> list[tuple[int, int, float]]:
    pairs = []
    for pi, p in enumerate(proposals):
        for gi, g in enumerate(gold):
            score, inter = iou(p.span, (g["start"], g["end"]))
            glen, plen = g["end"] - g["start"], p.end - p.start
            if inter >= 0.5 * glen and inter >= 0.5 * plen:
                pairs.append((score, pi, gi))
    pairs.sort(reverse=True)
    used_p, used_g, out = set(), set(), []
    for score, pi, gi in pairs:
        if pi in used_p or gi in used_g:
            continue
        used_p.add(pi)
        used_g.add(gi)
        out.append((pi, gi, score))
    return out


def load_set(name: str) -> tuple[str, list[dict]]:
    """An article written for the benchmark and its hand-annotated gold (bench/<name>/)."""
    folder = Path(__file__).resolve().parent / name
    text = (folder / "article.txt").read_text(encoding="utf-8")
    gold = yaml.safe_load((folder / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    for g in gold:
        g["start"] = text.index(g["text"])
        g["end"] = g["start"] + len(g["text"])
    return text, gold


def table(text: str, gold: list[dict], proposals, ids: dict[str, int] | None) -> list[tuple]:
    pairs = match(proposals, gold)
    by_gold = {gi: (pi, s) for pi, gi, s in pairs}
    by_prop = {pi: (gi, s) for pi, gi, s in pairs}

    def ratio(a, b):
        return f"{a / b:.2f}" if b else "-"

    rows = []
    for kind in (*KINDS, "all"):
        props = [i for i, p in enumerate(proposals) if kind in ("all", p.kind)]
        golds = [i for i, g in enumerate(gold) if kind in ("all", g["kind"])]
        tp_p = [i for i in props if i in by_prop]
        tp_g = [i for i in golds if i in by_gold]
        ious = [by_gold[i][1] for i in tp_g]
        kind_ok = [proposals[by_gold[i][0]].kind == gold[i]["kind"] for i in tp_g]
        if ids is not None:
            origin_ok = ratio(
                sum(proposals[by_gold[i][0]].origin_id == ids.get(gold[i]["origin"]) for i in tp_g),
                len(tp_g),
            )
            subj_ok = ratio(
                sum(
                    bool(
                        set(proposals[by_gold[i][0]].subjects)
                        & {ids.get(s) for s in gold[i]["subjects"]}
                    )
                    for i in tp_g
                ),
                len(tp_g),
            )
        else:
            origin_ok = subj_ok = "-"
        rows.append(
            (
                kind,
                str(len(golds)),
                str(len(props)),
                ratio(len(tp_p), len(props)),
                ratio(len(tp_g), len(golds)),
                f"{sum(ious) / len(ious):.2f}" if ious else "-",
                ratio(sum(kind_ok), len(kind_ok)),
                origin_ok,
                subj_ok,
            )
        )
    return rows, by_gold, by_prop


HEADER = (
    "kind",
    "gold",
    "proposed",
    "precision",
    "recall",
    "span IoU",
    "kind ok",
    "origin ok",
    "subject ok",
)


def show(title: str, rows) -> None:
    print(title)
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" for _ in HEADER) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def listing(proposals, gold, by_gold, by_prop) -> None:
    print("\nproposals:")
    for i, p in enumerate(proposals):
        hit = (
            gold[by_prop[i][0]].get("key", gold[by_prop[i][0]]["text"][:40])
            if i in by_prop
            else "-- no gold"
        )
        print(f"  [{p.kind:9}] {p.score:.2f} {p.text[:90]!r} -> {hit}")
    print("missed gold claims:")
    for i, g in enumerate(gold):
        if i not in by_gold:
            print(f"  [{g['kind']:9}] {g['text'][:100]!r}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print proposals and misses")
    args = parser.parse_args(argv)
    from intake.proposals import propose

    text, article, gold, ids, entities = load_seed()
    proposals = propose(
        text, entities=entities, title=article["title"], outlet_id=ids.get(article["outlet"])
    )
    for p in proposals:
        assert text[p.start : p.end] == p.text, "a proposal's span does not match the text"
    rows, by_gold, by_prop = table(text, gold, proposals, ids)
    show(
        f"seed article {article['key']} ({len(text):,} characters; the development set: the "
        "rules were written reading it)",
        rows,
    )
    if args.list:
        listing(proposals, gold, by_gold, by_prop)

    sets = [
        (
            "dev2",
            "second development set bench/dev2 (its misses on a first run led to general rules)",
        ),
        (
            "heldout",
            "held-out article bench/heldout (annotated and committed before the proposer first ran on it; rules not adjusted after)",
        ),
    ]
    for name, title in sets:
        set_text, set_gold = load_set(name)
        found = propose(set_text, entities=entities, outlet_id=ids.get(article["outlet"]))
        for p in found:
            assert set_text[p.start : p.end] == p.text
        rows, by_gold, by_prop = table(set_text, set_gold, found, None)
        print()
        show(f"{title}: {len(set_text):,} characters", rows)
        if args.list:
            listing(found, set_gold, by_gold, by_prop)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
