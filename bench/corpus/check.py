"""Check a corpus article's labels the way the bench will read them, without proposing anything:
`python -m bench.corpus.check DIR [DIR ...]` (add `--text` to print the text the extractor
gives, which is what the labels are searched in).

For each folder: the form, the title ingest would store, each `claims` and `not_claims` span
found or "NOT FOUND" in the extracted text, spans that overlap, duplicate keys, kinds outside
figure/ownership/event/plan, and the names in `subjects`, `origin` and `voice` that the desk
knows (the seeds and the entities the bench reads for the folder's split) or will score as named-but-unknown
(such a name must then be written as the text names it). Exit 1 when a label needs mending.

Writers of a new batch use it to check their spans; it never runs the proposer, so it shows
nothing of how the article will score.
"""

from __future__ import annotations

import argparse
import sys
from itertools import pairwise
from pathlib import Path

from bench._setup import django_environment

KINDS = {"figure", "ownership", "event", "plan"}


def known_names(folder: Path) -> set[str]:
    """The names (and aliases, case-folded) the bench resolves for the folder's split."""
    from bench._corpus import load_entities
    from bench.proposals import load_seed

    *_, ids, entities = load_seed()
    return set(load_entities(folder.parent.name, entities, ids)[1])


def check(folder: Path, show_text: bool) -> int:
    from bench._corpus import FORMS, load_article, normalise

    problems = 0
    art = load_article(folder, folder.parent.name)
    print(f"== {folder}  form={art.form}  title={art.title!r}  {len(art.text)} characters")
    if show_text:
        print(art.text)
        print("-" * 60)
    if art.form not in FORMS:
        print(f"  form {art.form!r} is not one of {', '.join(FORMS)}")
        problems += 1
    names = known_names(folder)
    keys: set[str] = set()
    spans = []
    for g in art.gold:
        label = g.get("key") or g["text"][:40]
        if g.get("key") in keys:
            print(f"  duplicate key {g['key']!r}")
            problems += 1
        keys.add(g.get("key"))
        if g.get("kind") not in KINDS:
            print(f"  {label}: kind {g.get('kind')!r} is not one of {', '.join(sorted(KINDS))}")
            problems += 1
        if g["start"] is None:
            print(f"  {label}: NOT FOUND {g['text'][:90]!r}")
            problems += 1
        else:
            spans.append((g["start"], g["end"], label))
        for name in dict.fromkeys([*(g.get("subjects") or []), g.get("origin") or ""]):
            # An unknown name is searched as a label is (white space, hyphens, ligatures).
            if (
                name
                and str(name).casefold() not in names
                and (normalise(str(name))[0] not in art.folded)
            ):
                print(f"  {label}: {name!r} is neither a known entity nor named in the text")
                problems += 1
    for o in art.not_claims:
        if o["start"] is None:
            print(f"  not_claims: NOT FOUND {o['text'][:90]!r}")
            problems += 1
        else:
            spans.append((o["start"], o["end"], "not_claims: " + o["text"][:30]))
    spans.sort()
    for (_, e1, a), (s2, _, b) in pairwise(spans):
        if s2 < e1:
            print(f"  spans overlap: {a} and {b}")
            problems += 1
    mentioned = {
        str(n)
        for g in art.gold
        for n in [*(g.get("subjects") or []), g.get("origin"), art.voice]
        if n
    }
    unknown = sorted(n for n in mentioned if n.casefold() not in names)
    print(
        f"  {len(art.gold)} claims, {len(art.not_claims)} not_claims, {problems} problem(s); "
        f"named-but-unknown: {', '.join(unknown) or 'none'}"
    )
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--text", action="store_true", help="print the extracted text")
    args = parser.parse_args(argv)
    django_environment()
    import django

    django.setup()
    problems = sum(check(f, args.text) for f in args.folders)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
