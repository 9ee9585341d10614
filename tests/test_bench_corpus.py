"""The proposer's benchmark corpus (bench/corpus/) is well formed, and the bench's text search and
sentence boundaries (bench/_corpus.py) do what bench/corpus/README.md says. No database."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
import yaml

from bench import _corpus as corpus

KINDS = {"figure", "ownership", "event", "plan"}


@pytest.fixture(scope="module")
def splits():
    return {split: corpus.load_split(split) for split in corpus.SPLITS}


def test_each_split_has_as_many_articles_of_each_form_and_at_least_two(splits):
    for split, articles in splits.items():
        counts = Counter(a.form for a in articles)
        assert set(counts) == set(corpus.FORMS), split
        assert len(set(counts.values())) == 1 and min(counts.values()) >= 2, (split, counts)


def _page_text(article) -> str:
    """What a reader of the file sees, before any extractor: an HTML page's visible text."""
    from bs4 import BeautifulSoup

    raw = article.path.read_bytes()
    if article.path.suffix.lower() in (".html", ".htm"):
        soup = BeautifulSoup(raw, "html.parser")
        for tag in soup(["script", "style", "template"]):
            tag.decompose()
        return soup.get_text(" ")
    return article.text


def test_every_label_is_found_in_the_text_ingest_extracts(splits):
    for split, articles in splits.items():
        for article in articles:
            lost = [g for g in article.gold if g["start"] is None]
            lost_opinions = [o for o in article.not_claims if o["start"] is None]
            if split == "heldout":
                # A held-out label the extractor loses stays (the bench counts it as missed:
                # fixing the extractor by reading it would tune on it), but it must be on the
                # page a reader sees.
                folded, where = corpus.normalise(_page_text(article))

                def on_page(label, folded=folded, where=where):
                    return corpus.locate(label["text"], folded, where, folded) is not None

                lost = [g for g in lost if not on_page(g)]
                lost_opinions = [o for o in lost_opinions if not on_page(o)]
            lost = [g["key"] for g in lost]
            assert not lost, f"{article.ref}: labels not in the extracted text: {lost}"
            lost = [o["text"] for o in lost_opinions]
            assert not lost, f"{article.ref}: not_claims not in the extracted text: {lost}"


def test_labels_are_well_formed_and_never_overlap(splits):
    for articles in splits.values():
        refs = {f"{a.ref}#{g['key']}" for a in articles for g in a.gold}
        for article in articles:
            keys = [g["key"] for g in article.gold]
            assert len(keys) == len(set(keys)), article.ref
            for g in article.gold:
                assert g["kind"] in KINDS, (article.ref, g["key"])
                assert "origin" in g and isinstance(g["subjects"], list), (article.ref, g["key"])
                if g.get("restates"):
                    assert g["restates"] in refs, (article.ref, g["key"], "restates no claim")
                    assert not g["restates"].startswith(f"{article.ref}#"), article.ref
            spans = sorted(
                (g["start"], g["end"], g["key"]) for g in article.gold if g["start"] is not None
            )
            for (_, end, a), (start, _, b) in itertools.pairwise(spans):
                assert start >= end, f"{article.ref}: {a} and {b} overlap"


def test_entity_files_have_unique_slugs_and_real_aliases():
    for split in corpus.SPLITS:
        rows = yaml.safe_load((corpus.CORPUS / split / "entities.yaml").read_text())["entities"]
        slugs = [r["slug"] for r in rows]
        assert len(slugs) == len(set(slugs)), split
        # An unquoted "X Co., Ltd." in a YAML flow list is two aliases, the second "Ltd.".
        aliases = [a for r in rows for a in r.get("aliases") or []]
        assert not [a for a in aliases if a.strip(" .").lower() in {"ltd", "co", "inc", "plc"}]


def test_search_ignores_wrapping_hyphenation_ligatures_and_page_furniture():
    text = (
        "The plant made its ﬁrst ship-\nment of oxide to a third-\nparty buyer in\n"
        "ACME REPORT 2026\nPage 3 of 9\n\nMay, the company said."
    )
    folded, where = corpus.normalise(text, ["ACME REPORT 2026", r"Page \d+ of \d+"])
    found = corpus.locate(
        "made its first shipment of oxide to a third-party buyer in May", folded, where, text
    )
    assert found is not None
    start, end = found
    assert text[start:end].startswith("made its ﬁrst ship-\nment")
    assert text[start:end].endswith("in\nACME REPORT 2026\nPage 3 of 9\n\nMay")
    assert corpus.locate("made its first shipment to", folded, where, text) is None


def test_boundaries_of_wrapped_wire_copy():
    text = (
        "PERTH, July 24 (Reuters) - Lynas said it produced a record\n"
        "2,410 tonnes in the quarter. Revenue rose to A$201.7 million\n"
        "from A$154.3 million, the company said.\n\n"
        "  * Pre-production capital cost of A$612 million\n"
        "Shares in Co. X rose 4.6%."
    )
    starts, ends = corpus.boundaries(text)
    assert text.index("Lynas") in starts  # the dateline is skipped
    assert text.index("2,410") not in starts  # a wrapped line is not a paragraph
    assert text.index("Revenue") in starts
    assert text.index("Pre-production") in starts  # a list item, after its marker
    assert text.index("X rose") not in starts  # "Co." is an abbreviation

    def mid(fragment):
        start = text.index(fragment)
        return corpus.mid_sentence(text, (start, start + len(fragment)), starts, ends)

    assert mid("Lynas said it produced a record\n2,410 tonnes in the quarter") == ""
    assert mid("2,410 tonnes in the quarter") == "start"
    assert mid("Revenue rose to A$201.7 million") == "end"
    assert mid("Pre-production capital cost of A$612 million") == ""


def test_an_html_extract_has_a_paragraph_per_line():
    text = "Key terms of the award\nThe grant covers 30% of the cost."
    every, _ = corpus.boundaries(text, every_line=True)
    assert text.index("The grant") in every


def test_a_wrong_subject_is_counted_by_why():
    from types import SimpleNamespace

    by_name = {"lynas": 1, "malaysia": 2}

    def why(subjects, named, gold):
        proposal = SimpleNamespace(subjects=subjects, named_subjects=named)
        return corpus.subject_error(proposal, {"subjects": gold}, by_name)

    assert why([1], [], ["Lynas"]) is None
    assert why([], ["Kalimba Rare Earths"], ["Kalimba Rare Earths"]) is None
    assert why([], [], ["Lynas"]) == "nobody named"
    assert why([1], [], []) == "someone for nobody"
    assert why([1, 2], [], ["Lynas"]) == "a right one and another"
    assert why([1], ["Tianhe Metals"], ["Lynas"]) == "a right one and another"
    assert why([2], [], ["Lynas"]) == "a wrong known one"
    assert why([], ["Tianhe Metals"], ["Kalimba Rare Earths"]) == "a wrong unknown one"
