"""Benchmark of the claim proposer: `python -m bench.proposals`.

Runs `intake.proposer.propose.propose` on the seed article (seeds/) with the seed entities and their
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

Then the corpus of bench/corpus/ (its README.md: four forms, a development and a held-out
split, labelling rules). Each article is read as `manage.py ingest FILE` reads it (ingest's
`draft_from_file`: plain text as it is, HTML and PDF through `sources.extract.extract`), and
proposed on with the seed entities plus the split's entities.yaml, the title ingest would store
and no outlet (a file ingested without --url has none). Gold spans are found in that text by
search (bench/_corpus.py), the same one-to-one matching as above. Printed per split, per form
and for all forms:

- precision and recall; "lost" counts gold claims the extractor dropped (not in its text);
- opinions proposed: `not_claims` sentences that a proposal covers (half of either);
- mid-sentence: proposals whose start is not at a sentence, paragraph or list-item start
  (a dateline skipped, opening quotes aside) or whose end is not at a sentence end (closing
  punctuation aside), by the bench's own boundaries (`_corpus.boundaries`: a line break starts
  a paragraph only after a sentence end, a heading-like or table-row line, or before a list
  item); "… unlike gold" counts only those whose offending boundary is not also a boundary of
  a gold claim (clause claims such as "which is controlled by ..." start mid-sentence by
  design);
- subject ok, origin ok, kind ok on true positives (the README's rules; unknown subjects are
  read from `Proposal.named_subjects` when the proposer has it), and under the table the wrong
  subjects counted by why (`_corpus.subject_error`: nobody named, someone where the gold
  names nobody, a right one beside another, only wrong known or wrong unknown ones, a known
  one kept only inside an unknown name), counts
  that point at a cause without listing a held-out sentence;
- restated figures: for each gold claim that `restates` another article's claim, whether it
  was proposed and whether `match_claim` links it to that claim (a) among the claims the desk
  looks at today (intake.selectors.claims_matching: the same article's, those sharing a
  subject with one of the article's proposals, and those whose indexed figures are one of
  its proposals' amounts) and (b) among all the split's claims. A link to another article's
  claim that restates the same claim counts too (it states the same figures; the line names it).

`--list` also lists the development split's proposals and misses per article, with each true
positive's gold and proposed subjects and origin; the held-out split's (and its restated
figures one by one) only with `--list-heldout`: keep it aside while tuning. `--dev` runs the
development sets only (no bench/heldout, no held-out split): what to read while tuning.
`--incoming` scores only bench/corpus/incoming/, a new batch waiting to be split (with the
development split's entities and each writer's entities*.yaml): run it once, on first run,
before any rule looks at the batch (bench/corpus/README.md, "Batches").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from bench import _corpus as corpus
from bench._setup import django_environment

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
KINDS = ("figure", "ownership", "event", "plan")


def load_seed() -> tuple[str, str, list[dict], dict[str, int], list]:
    from intake.proposer.entities import EntityRef

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
    parser.add_argument(
        "--list-heldout",
        action="store_true",
        help="also list the held-out corpus articles (do not use while tuning)",
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="development sets only: skip bench/heldout and the corpus's held-out split",
    )
    parser.add_argument(
        "--incoming",
        action="store_true",
        help=(
            "only bench/corpus/incoming/ (a new batch not yet moved to dev/: score it once "
            "before any rule looks at it), with the development split's entities as well"
        ),
    )
    args = parser.parse_args(argv)
    # The corpus is read by ingest's file reader and sources.extract, which import models:
    # Django is set up, but nothing here touches a database.
    django_environment()
    import django

    django.setup()
    from intake.proposer.propose import propose

    text, article, gold, ids, entities = load_seed()
    if args.incoming:
        corpus_report("incoming", entities, ids, list_articles=args.list)
        return 0
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
        if args.dev and name == "heldout":
            continue
        set_text, set_gold = load_set(name)
        found = propose(set_text, entities=entities, outlet_id=ids.get(article["outlet"]))
        for p in found:
            assert set_text[p.start : p.end] == p.text
        rows, by_gold, by_prop = table(set_text, set_gold, found, None)
        print()
        show(f"{title}: {len(set_text):,} characters", rows)
        if args.list:
            listing(found, set_gold, by_gold, by_prop)
    for split in corpus.SPLITS:
        if args.dev and split != "dev":
            continue
        print()
        corpus_report(
            split,
            entities,
            ids,
            list_articles=args.list and (split == "dev" or args.list_heldout),
        )
    return 0


# --- The corpus (bench/corpus/) ---------------------------------------------------------------

CORPUS_HEADER = (
    "form",
    "articles",
    "gold",
    "lost",
    "proposed",
    "precision",
    "recall",
    "opinions proposed",
    "mid-sentence",
    "… unlike gold",
    "subject ok",
    "origin ok",
    "kind ok",
)


def _article_scores(article, proposals, by_name) -> dict:
    located = [g for g in article.gold if g["start"] is not None]
    pairs = match(proposals, located)
    starts, ends = corpus.boundaries(article.text, every_line=article.every_line)
    gold_starts, gold_ends = corpus.gold_boundaries(article)
    mid = unlike = 0
    flagged = []
    for p in proposals:
        where = corpus.mid_sentence(article.text, p.span, starts, ends)
        if not where:
            continue
        mid += 1
        off_start = where in ("start", "both") and p.start not in gold_starts
        off_end = where in ("end", "both") and p.end not in gold_ends
        if off_start or off_end:
            unlike += 1
        flagged.append((p, where))
    tp = [(proposals[pi], located[gi]) for pi, gi, _ in pairs]
    return {
        "gold": len(article.gold),
        "lost": len(article.gold) - len(located),
        "proposed": len(proposals),
        "tp": len(pairs),
        "opinions": corpus.opinions_proposed(article, proposals),
        "mid": mid,
        "unlike": unlike,
        "flagged": flagged,
        "subject": sum(corpus.subject_ok(p, g, by_name) for p, g in tp),
        "subject_errors": [corpus.subject_error(p, g, by_name) for p, g in tp],
        "origin": sum(corpus.origin_ok(p, g, article.voice, by_name) for p, g in tp),
        "kind": sum(p.kind == g["kind"] for p, g in tp),
        "pairs": {id(located[gi]): proposals[pi] for pi, gi, _ in pairs},
        "matched_props": {pi for pi, _, _ in pairs},
    }


def _row(label: str, n: int, scores: list[dict]) -> tuple:
    def total(key):
        return sum(s[key] for s in scores)

    def ratio(a, b):
        return f"{a / b:.2f}" if b else "-"

    gold, proposed, tp = total("gold"), total("proposed"), total("tp")
    return (
        label,
        str(n),
        str(gold),
        str(total("lost")),
        str(proposed),
        ratio(tp, proposed),
        ratio(tp, gold),
        str(sum(len(s["opinions"]) for s in scores)),
        f"{total('mid')}/{proposed}",
        f"{total('unlike')}/{proposed}",
        ratio(total("subject"), tp),
        ratio(total("origin"), tp),
        ratio(total("kind"), tp),
    )


def _linked(proposal, candidates, same: dict[int, str]) -> str:
    """Whether `match_claim` links `proposal` to its claim. `same` holds the ids of the claim
    it restates and of the other claims that restate that one (they state the same figures, so
    a link to any of them is right), each with its label."""
    from intake.proposer.matching import match_claim

    hit = match_claim(proposal, candidates)
    if hit is None:
        return "no"
    if hit[0] not in same:
        return "no (linked to another claim)"
    via = same[hit[0]]
    return f"yes, {hit[1]}" + (f" (to {via}, which restates it too)" if via else "")


def _restatements(articles, results, by_name) -> list[str]:
    """A line per gold claim that restates another article's claim: proposed? linked?"""
    from claims.figures import index_rows, quantitative, stored_figures
    from claims.stated_figures import parse_figures
    from intake.proposer.matching import ClaimRef

    refs, owner = {}, {}
    for article in articles:
        for g in article.gold:
            ref = f"{article.ref}#{g['key']}"
            refs[ref] = ClaimRef(
                id=len(refs) + 1,
                text=g["text"],
                figures=tuple(stored_figures(parse_figures(g["text"]))),
                subjects=frozenset(
                    by_name[s.casefold()] for s in g["subjects"] if s.casefold() in by_name
                ),
            )
            owner[ref] = article.ref
    lines = []
    for article, (proposals, scores) in zip(articles, results, strict=True):
        subject_ids = {s for p in proposals for s in p.subjects}
        amounts = {row for p in proposals for row in index_rows(quantitative(p.figures))}
        for g in article.gold:
            if not g.get("restates"):
                continue
            target = refs.get(g["restates"])
            label = f"{article.ref}#{g['key']} restates {g['restates']}"
            p = scores["pairs"].get(id(g))
            if target is None:
                lines.append(f"  {label}: no such claim in this split")
                continue
            if p is None:
                lines.append(f"  {label}: not proposed")
                continue
            others = [c for r, c in refs.items() if owner[r] != article.ref]
            same = {target.id: ""} | {
                refs[r].id: r
                for a in articles
                for h in a.gold
                if h.get("restates") == g["restates"]
                and (r := f"{a.ref}#{h['key']}") in refs
                and owner[r] != article.ref
            }
            desk = [
                c
                for c in others
                if c.subjects & subject_ids or set(index_rows(c.figures)) & amounts
            ]

            lines.append(
                f"  {label}: proposed; linked by the desk's candidates: "
                f"{_linked(p, desk, same)}; among all claims: {_linked(p, others, same)}"
            )
    return lines


def _gold_pairs(article, scores):
    return [(g, scores["pairs"][id(g)]) for g in article.gold if id(g) in scores["pairs"]]


def _who(proposal, gold: dict, article, by_name, names: dict[int, str]) -> str:
    """Gold against proposed subjects and origin of a true positive, marked "ok" or "WRONG"."""
    error = corpus.subject_error(proposal, gold, by_name)
    subject = f"WRONG ({error})" if error else "ok"
    origin = "ok" if corpus.origin_ok(proposal, gold, article.voice, by_name) else "WRONG"
    proposed = [names.get(i, str(i)) for i in proposal.subjects]
    proposed += [f"?{n}" for n in getattr(proposal, "named_subjects", []) or []]
    said = (
        "own voice"
        if proposal.origin_kind == "own_voice"
        else f"{proposal.origin_phrase!r} -> {names.get(proposal.origin_id, proposal.origin_id)}"
    )
    return (
        f"subjects {subject}: gold {gold['subjects']} proposed {proposed}; "
        f"origin {origin}: gold {gold.get('origin')} proposed {said}"
        + (f"; kind WRONG: gold {gold['kind']}" if proposal.kind != gold["kind"] else "")
    )


def corpus_report(split: str, seed_entities, seed_ids, *, list_articles: bool) -> dict:
    """Run the proposer on bench/corpus/<split>/ and print its table; returns the totals."""
    from intake.proposer.propose import propose

    entities, by_name = corpus.load_entities(split, seed_entities, seed_ids)
    names = {e.id: e.name for e in entities}
    articles = corpus.load_split(split)
    results = []
    for article in articles:
        proposals = propose(article.text, entities=entities, title=article.title, outlet_id=None)
        for p in proposals:
            assert article.text[p.start : p.end] == p.text, "a proposal's span is not the text's"
        results.append((proposals, _article_scores(article, proposals, by_name)))
    rows = []
    for form in (*corpus.FORMS, "all"):
        scores = [s for a, (_, s) in zip(articles, results, strict=True) if form in ("all", a.form)]
        rows.append(_row(form, len(scores), scores))
    name = {"dev": "development", "heldout": "held-out"}.get(split, split)
    print(
        f"corpus, {name} split (bench/corpus/{split}/: {len(articles)} articles, "
        f"{sum(len(a.gold) for a in articles)} gold claims, "
        f"{sum(len(a.not_claims) for a in articles)} opinions)"
    )
    print("| " + " | ".join(CORPUS_HEADER) + " |")
    print("|" + "|".join("---" for _ in CORPUS_HEADER) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    errors = [e for _, s in results for e in s["subject_errors"] if e]
    print(
        f"wrong subjects ({len(errors)} of {sum(s['tp'] for _, s in results)} true positives): "
        + ", ".join(f"{kind} {errors.count(kind)}" for kind in corpus.SUBJECT_ERRORS)
    )
    lines = _restatements(articles, results, by_name)
    if lines:
        proposed = [line for line in lines if ": proposed;" in line]
        desk = [line for line in proposed if "desk's candidates: yes" in line]
        anywhere = [line for line in proposed if "among all claims: yes" in line]
        print(
            f"restated figures: {len(lines)}, proposed {len(proposed)}, linked to their claim "
            f"by the desk's candidates {len(desk)}, among all claims {len(anywhere)}"
        )
        if split != "heldout" or list_articles:
            print("\n".join(lines))
    if list_articles:
        for article, (proposals, scores) in zip(articles, results, strict=True):
            print(f"\n{article.ref} ({article.form}):")
            flags = {id(p): where for p, where in scores["flagged"]}
            gold_of = {id(p): g for g, p in _gold_pairs(article, scores)}
            for i, p in enumerate(proposals):
                hit = "" if i in scores["matched_props"] else "  -- no gold"
                mid = f"  [mid-sentence: {flags[id(p)]}]" if id(p) in flags else ""
                print(f"  [{p.kind:9}] {p.score:.2f} {p.text[:100]!r}{hit}{mid}")
                g = gold_of.get(id(p))
                if g is not None and split != "heldout":
                    print("    " + _who(p, g, article, by_name, names))
            missed = [g for g in article.gold if id(g) not in scores["pairs"]]
            for g in missed:
                lost = " (not in the extracted text)" if g["start"] is None else ""
                print(f"  missed [{g['kind']:9}] {g['text'][:100]!r}{lost}")
            for text in scores["opinions"]:
                print(f"  OPINION PROPOSED: {text[:100]!r}")
    return {"rows": rows}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
