"""Candidate claims from an article's text: transparent rules over a sentence splitter.

Pure Python (no Django, no model, no network): `propose(text, entities=..., title=...)` returns
`Proposal`s whose `text == article_text[start:end]` always. The steps, each a rule a person can
read and argue with:

0. paragraphs: hard-wrapped lines (wire copy, e-mail, PDFs) are joined into their paragraphs,
   words hyphenated at a line end joined, offsets kept (`reflow`);
1. lines: headings (no closing punctuation, short, not ending in "to" / "the" / "of" ...), the title line and page furniture ("Leave a
   Reply", "Spread the word") are skipped; bullets are remembered (a highlights list repeats
   the body);
2. sentences: split at . ! ? before white space, except after abbreviations (Co., Ltd., U.S.)
   and before a lower-case word;
3. clauses: a sentence carries several claims when it joins them: "X rose 60.4%, while Y rose
   12.3%" (while/whereas/but/;), "... update: net profit soared ..." (a colon between two
   clauses), "..., boosting production by nearly 40%" (a participle carrying a figure),
   "..., with Z reporting ..." (an absolute clause), "..., which is publicly listed" (a
   relative clause at the end), "Subsidiaries like A and B ramped up ..." (a relation in the
   subject), "(also a shareholder of K)" (a relation in brackets), "According to X, ...";
   commentary tails ("—underscoring its importance", a dash aside without a figure) and
   lead-ins ("A reminder that", "Meanwhile,") are trimmed;
4. opinion and rhetoric are dropped: questions, prescriptions (should, must, calls for),
   hedges (may, might, suggests) without a figure, evaluations ("this is a ...", "this
   highlights ..."), idioms and metaphors ("a warning shot", "the first inning", "betting
   big", "not just");
5. each clause gets its figures, a kind, subjects (known entities and aliases; "the company"
   and "they" refer back), an origin (attribution or the article's own voice) and a
   check-worthiness score with its reasons; clauses under `MIN_SCORE` are not proposed;
6. repeats are dropped: a clause whose figures another clause already states (a highlights
   bullet, a standfirst's "nearly 2000%" inside a stated range), or a bullet whose words a
   body clause already holds.

The rules of each step live in a module of this package (intake.proposer: its docstring
lists them); this module runs them over a text, line by line and sentence by sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from intake.proposer.attribution import _inside_quotation
from intake.proposer.clauses import _deal_phrases, _split
from intake.proposer.context import _Context, named_as_venue
from intake.proposer.dedupe import _dedupe
from intake.proposer.entities import COMPANY_KINDS, EntityMatcher, EntityRef
from intake.proposer.evaluate import _evaluate
from intake.proposer.learning import _learn_names
from intake.proposer.mentions import _PROJECT_AFTER, _subject_mentions
from intake.proposer.opinion import _ASIDE, _JUDGEMENT, _RHETORIC, rejection
from intake.proposer.origins import _learn_speakers, _origin_of
from intake.proposer.proposal import Proposal
from intake.proposer.rows import _is_table_row, _table_lines
from intake.proposer.score import MIN_SCORE
from intake.proposer.segment import Segment
from intake.proposer.sentences import sentences
from intake.proposer.tables import _table_context, _table_row
from intake.proposer.text import (
    _BULLET,
    _DATELINE,
    _FURNITURE,
    Reflowed,
    _is_heading,
    lines,
    reflow,
)


def propose(
    text: str,
    *,
    entities: Iterable[EntityRef] = (),
    title: str = "",
    outlet_id: int | None = None,
    min_score: float = MIN_SCORE,
) -> list[Proposal]:
    """Candidate claims of `text`, in text order, repeats removed (see the module docstring).
    Hard-wrapped paragraphs are joined first (`reflow`); offsets and `text` of each proposal
    are the original text's."""
    original = text
    reflowed = reflow(text)
    # The rules read single spaces ("according to"): the padding after a rejoined hyphenated
    # word is taken out while they read, and put back in every offset they return.
    compact, shift, unshift = _without_padding(reflowed)
    guessed = frozenset(map(unshift, reflowed.guessed))
    found = _propose(
        compact,
        entities=entities,
        title=title,
        outlet_id=outlet_id,
        min_score=min_score,
        guessed=guessed,
    )
    for p in found:
        p.start, p.end = shift(p.start), reflowed.original_end(shift(p.end))
        p.text = original[p.start : p.end]
        for f in p.figures:
            if "start" in f and "end" in f:
                f["start"], f["end"] = shift(f["start"]), reflowed.original_end(shift(f["end"]))
    return found


def _without_padding(reflowed: Reflowed):
    """`reflowed.text` without the padding of its rejoined words (`Reflowed.zones`), the
    function that turns an offset into that text back into an offset into `reflowed.text`, and
    its inverse (for an offset outside the padding)."""
    if not reflowed.zones:
        return reflowed.text, lambda offset: offset, lambda offset: offset
    parts, cuts, pos, removed = [], [], 0, 0
    for start, stop in sorted(reflowed.zones):
        parts.append(reflowed.text[pos:start])
        cuts.append((start - removed, stop - start))  # (where in the compact text, how much)
        removed += stop - start
        pos = stop
    parts.append(reflowed.text[pos:])

    def shift(offset: int) -> int:
        return offset + sum(length for at, length in cuts if offset >= at)

    def unshift(offset: int) -> int:
        return offset - sum(stop - start for start, stop in reflowed.zones if stop <= offset)

    return "".join(parts), shift, unshift


def _propose(
    text: str,
    *,
    entities: Iterable[EntityRef],
    title: str,
    outlet_id: int | None,
    min_score: float,
    guessed: frozenset[int] = frozenset(),
) -> list[Proposal]:
    matcher = EntityMatcher(entities)
    counts: dict[EntityRef, int] = {}
    for mention in matcher.mentions(text):
        if mention.entity.kind in COMPANY_KINDS and not named_as_venue(text, mention):
            counts[mention.entity] = counts.get(mention.entity, 0) + 1
    main = max(counts, key=lambda e: counts[e]) if counts else None
    ctx = _Context(
        matcher=matcher, main_subject=main, outlet_id=outlet_id, counts=dict(counts), text=text
    )
    # The organisations the text names that the register does not know, learnt up front
    # (as the known ones are counted up front) so the most named company can be one of them.
    for ls, le in lines(text):
        _learn_names(text, ls, le, ctx)
    for mention in ctx.unknown_mentions(text, 0, len(text)):
        if _PROJECT_AFTER.match(text, mention.end):
            continue  # "the Nuuluk rare earths project": the project, not its company
        ctx.counts[mention.entity] = ctx.counts.get(mention.entity, 0) + 1
    candidates: list[Proposal] = []
    all_lines = _table_lines(text, lines(text))
    rows = [_is_table_row(text[a:b]) for a, b in all_lines]
    for index, (ls, le) in enumerate(all_lines):
        line = text[ls:le]
        ctx.new_paragraph(guessed=ls in guessed)
        in_table = rows[index] and (
            (index > 0 and rows[index - 1]) or (index + 1 < len(rows) and rows[index + 1])
        )
        if in_table:
            if not (index > 0 and rows[index - 1]):
                # The table's caption: the line just before its first row, if short.
                prev = text[slice(*all_lines[index - 1])] if index else ""
                caption = prev if len(prev.split()) <= 30 else ""
                ctx.table_context = _table_context(
                    text, all_lines, rows, index, caption, candidates, ctx
                )
            row = _table_row(text, ls, le, caption, ctx, outlet_id)
            if row is not None and row.score >= min_score:
                candidates.append(row)
            continue
        if _is_heading(line, index == 0, title):
            ctx.subjects_seen = []  # a new section
            if not _FURNITURE.match(line.strip()):
                ctx.section_attribution, ctx.section_origin = "", None
            continue
        bullet = _BULLET.match(line)
        if bullet:
            ls += bullet.end()
        for ss, se in sentences(text, ls, le):
            sentence = text[ss:se]
            ctx.new_sentence()
            if _inside_quotation(text[ls:ss]) and not re.match(r'\s*["“]', sentence):
                # The second sentence of a quotation ('"... said. We are building a company
                # that will ..."'): read as quoted.
                sentence = "“" + sentence
            _learn_names(text, ss, se, ctx)
            _learn_speakers(text, ss, se, ctx)
            segments = _split(text, Segment(ss, se))
            segments += [
                d
                for d in _deal_phrases(text, ss, se, ctx)
                if not any(seg.start <= d.start and d.end <= seg.end for seg in segments)
                or rejection(sentence, sentence=sentence, has_figure=False)
            ]
            segments.sort(key=lambda g: g.start)
            sentence_rejected = bool(
                sentence.rstrip(' "”’)').endswith("?")
                or _RHETORIC.search(sentence)
                or _JUDGEMENT.search(sentence)
            )
            for seg in segments:
                if _ASIDE.search(sentence):
                    break  # the writer's view, every clause of it
                proposal = _evaluate(text, seg, sentence, ctx, bullet=bool(bullet))
                if proposal is None:
                    continue
                # Rhetoric anywhere in a sentence colours all of it; only a named deal inside
                # it stands on its own.
                if (
                    sentence_rejected
                    and seg.forced_reason != "deal"
                    and (
                        _RHETORIC.search(proposal.text)
                        or _JUDGEMENT.search(proposal.text)
                        or sentence.rstrip().endswith("?")
                    )
                ):
                    continue
                if proposal.score >= min_score:
                    candidates.append(proposal)
                # "According to the company's entry, ..." opening a paragraph introduces an
                # account of that document: it covers the rest of the section. "According to
                # X, ..." about one fact covers its sentence only.
                if seg.forced_reason == "document" and ss == ls and not ctx.section_attribution:
                    ctx.section_attribution = text[seg.start : seg.end]
                    ctx.section_origin = _origin_of(ctx.section_attribution, ctx)
            named = _subject_mentions(text, ss, se, ctx)
            ctx.remember([m.entity for m in named])
            head = _DATELINE.match(text[ss:se])
            first = next(iter(named), None)
            if first is not None and first.start - (ss + (head.end() if head else 0)) <= 12:
                ctx.remember_subject(first.entity)  # named first: the sentence's subject
    return _dedupe(candidates)
