"""Origins: whom an attribution phrase names (`_origin_entity`): the company a referring phrase
refers to, the organisation a person speaks for (learnt as people are quoted:
`_learn_speakers`), a ministry by its portfolio, customs data by the body that publishes it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from intake.proposer.attribution import _SAID_OFFICER
from intake.proposer.context import _Context
from intake.proposer.entities import _REPORTER_KINDS, COMPANY_KINDS, EntityRef
from intake.proposer.names import _COMPANY_NOUNS, _COREF_COMPANY, _NOT_SHORT, _PART_OF_COMPANY

_OFFICER = re.compile(
    r"\b(?:chief executive(?: officer)?|chief financial officer|chief operating officer|"
    r"chairman|chairwoman|chair|president|managing director|spokes(?:man|woman|person)|"
    r"CEO|CFO|COO|founder|executive director)\b",
    re.I,
)


def _origin_entity(
    phrase: str, ctx: _Context, about: Iterable[EntityRef] = (), at: int | None = None
) -> EntityRef | None:
    """Who an attribution phrase names: a referring phrase ("the Australian miner", "the
    company's chief executive") is the company it refers to; a person speaks for an
    organisation (`_speaker_organisation`); a data source by what it is ("customs data
    showed") is the body that publishes it; else the first known name in it, or an
    organisation named before that the register does not know; "it expects" is whom the
    clause is about (`about`)."""
    if not phrase:
        return None
    if re.match(
        r"^(?:according to\s+)?the\s+(?:company['’]s\s+)?(?:filing|statement|announcement|"
        r"disclosure|prospectus)\b",
        phrase.strip(),
        re.I,
    ):
        # "..., according to the filing", "the filing said": the filing of the company the
        # story is about
        company = ctx.main_company()
        if company is not None and company.kind in COMPANY_KINDS:
            return company
    body = re.search(
        r"(?:^|\bat\s+)the\s+(ministry|commission|regulator|agency|bank|department|bureau|"
        r"authority|fund)\b(?P<named>\s+(?:of|for)\s+(?-i:[A-Z])|\s+(?-i:[A-Z]))?",
        phrase.strip(),
        re.I,
    )
    if body and not body.group("named"):
        # "the ministry said", after a clause naming the Ministry of Ecology and Environment,
        # or the one named just before the clause ("KOMIR, a corporation under the Ministry
        # of Trade, Industry and Energy, aims to ..., the ministry said"); "the Department of
        # Energy said" is found by its own name below
        noun = body.group(1).lower()
        before = (
            [m.entity for m in reversed(ctx.matcher.mentions(ctx.text, max(0, at - 300), at))]
            if at is not None
            else []
        )
        named = next(
            (e for e in (*about, *before) if any(noun in n.lower() for n in (e.name, *e.aliases))),
            None,
        )
        if named is not None:
            return named
        # "the department said", "two officials at the department said": the department the
        # text named lately ("India's Department of Atomic Energy has ordered ...")
        hit = _named_by_head_noun(noun, ctx)
        if hit is not None and hit.kind != "state":
            return hit
    m = _COREF_COMPANY.match(phrase.strip())
    if m:
        # "Dianchi's net profit fell 23%, the company said": the company the clause is about,
        # when it names one; else the one it refers to.
        companies = [e for e in about if e.kind in COMPANY_KINDS]
        # ("the group said" after a subsidiary's figure is often its parent's word: not here)
        if (
            companies
            and not _is_defined_term(m.group(0))
            and not re.search(r"group(?:['’]s)?$", m.group(0), re.I)
        ):
            return companies[0]
        # "The Australian miner also said": the company it refers to, not "Australian"; "the
        # trading house said": the one the text introduced as "trading house X".
        company = (ctx.described(m.group(0), at) if at is not None else None) or ctx.last_company(
            defined_term=_is_defined_term(m.group(0))
        )
        if company is not None:
            return company
    found = ctx.matcher.mentions(phrase)
    entity = found[0].entity if found else None
    if entity is not None and entity.kind == "state":
        # "China's Ministry of Commerce said", "The U.S. Department of Defense said": the
        # body the state's name qualifies
        entity = next((m.entity for m in found if m.entity.kind != "state"), entity)
    if entity is not None and not (entity.kind == "state" and _CUSTOMS.search(phrase)):
        _remember_speaker(phrase, entity, ctx)
        return entity
    unknown = ctx.unknown_mentions(phrase, 0, len(phrase))
    if unknown:
        _remember_speaker(phrase, unknown[0].entity, ctx)
        return unknown[0].entity
    if _CUSTOMS.search(phrase):
        return _customs_body(phrase, ctx)
    if re.match(r"^(?:it|they)\b", phrase.strip(), re.I):
        # "It expects first production in 2029": whom the clause is about.
        about = [e for e in about if e.kind not in ("state",)]
        # else whom the sentence before was about ("The Ministry of Commerce extended ...
        # It said applications would be decided within 45 days.")
        before = [e for e in ctx.said_before if e.kind not in ("state",)]
        # else whom an attribution named lately ("China's Ministry of Commerce said ... The
        # notice also lowers ... It said ...")
        return (
            about[0] if about else before[0] if before else ctx.recent_sayer() or ctx.last_company()
        )
    speaker = _speaker_organisation(phrase, ctx)
    if speaker is not None:
        return speaker
    m = _COREF_COMPANY.search(phrase)
    if (
        m
        or _OFFICER.search(phrase)
        or _PART_OF_COMPANY.match(phrase.strip())
        or _ORGAN.match(phrase.strip())
    ):
        # "the Company said", "the Board expects": the issuer. A title with no employer
        # ("chief executive Youssef El Alami said") is the issuer's only in a release that
        # defines its Company; in a news story, the company named lately, else the one the
        # story is about, not the first its headline names.
        if m:
            issuer = _is_defined_term(m.group(0))
        elif _OFFICER.search(phrase) and not _ORGAN.match(phrase.strip()):
            issuer = ctx.defined_company is not None
        else:
            issuer = True
        company = ctx.last_company(defined_term=issuer)
        if company is not None and _OFFICER.search(phrase):
            _remember_speaker(phrase, company, ctx)
        return company
    return None


# A company's organ speaking for it without an article: "Management expects", "Directors
# believe", "The board said".
_ORGAN = re.compile(r"^(?:management|directors|the board|executives)\b", re.I)
_CUSTOMS = re.compile(r"\bcustoms\b", re.I)
_MINISTER = re.compile(
    r"\b(?:(?P<a>[A-Z][a-z]+(?:\s+and\s+[A-Z][a-z]+)?)\s+[Mm]inister|"
    r"[Mm]inister\s+(?:of|for)\s+(?:the\s+)?(?P<b>[A-Z][a-z]+))\b"
)
_PERSON_WORDS = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")


def _remember_speaker(phrase: str, organisation: EntityRef, ctx: _Context) -> None:
    """A person named in an attribution that resolved to `organisation` speaks for it:
    "Whitford said" later, or "she added", is that organisation."""
    if not (_OFFICER.search(phrase) or _MINISTER.search(phrase)):
        return
    _speaks_for(_PERSON_WORDS.findall(phrase), organisation, ctx)


def _speaks_for(words: Iterable[str], organisation: EntityRef, ctx: _Context) -> None:
    """The words of a person's name stand for `organisation` from here on, and the person is
    the last one quoted (in this paragraph)."""
    names = set(organisation.names)
    for word in words:
        if word.lower() not in _NOT_SHORT and not any(word in n for n in names):
            ctx.speakers[word] = organisation
    ctx.last_speaker = organisation
    ctx.speaker_paragraph = ctx.paragraph_serial


# A person quoted with what they are at an organisation, after "said" or before it: "said
# Lars Bech Norgaard, head of natural resources at EIFO", "Ane Lund, a director of Kesk
# Metals, said", "said Johan Paakkonen, Chief Executive Officer of Tornefjäll" (a title in
# capitals), "Ling Zhang, a consultant at Halvorsen Commodities in Singapore", "said Zhou
# Peng, purchasing manager at the company" (the company the text refers to).
_TITLE_WORD = (
    r"(?:Chief|Executive|Managing|Senior|Vice|Deputy|General|Head|Director|President|"
    r"Chair(?:man|woman)?|Founder|Partner|Principal|Manager|Analyst|Spokes(?:man|woman|person)|"
    r"Secretary|Commissioner|CEO|CFO|COO)\b"
)
_PERSON_AT = re.compile(
    r"(?:\b(?:said|says|added|told\s+\w+)\s+)?(?P<person>(?-i:[A-Z])[\w'’-]+(?:\s+(?-i:[A-Z])[\w'’-]+){1,3}),"
    rf"\s+(?:the\s+|a\s+|an\s+)?(?:(?-i:[a-z])|{_TITLE_WORD})[^,.;\n]{{1,70}}?\s+(?:at|of|for)\s+"
    rf"(?:(?P<ref>the\s+{_COMPANY_NOUNS})\b|(?:the\s+)?"
    r"(?P<org>(?-i:[A-Z])[\w&.'’-]*(?:\s+(?:of\s+|and\s+)?(?-i:[A-Z])[\w&.'’-]*){0,5}))"
    r"(?=[,.;]|\s*$|\s+(?:said|says|told|added)\b|\s+(?:in|based\s+in)\s+(?-i:[A-Z]))"
)


# The title before the name, with the employer before it, whatever the verb: "Epangelo
# managing director Festus Amukwaya welcomed the arrangement", "LKAB chief executive Jan
# Moström".
_ORG_TITLE_PERSON = re.compile(
    r"(?P<org>(?-i:[A-Z])[\w&.'’-]*(?:\s+(?-i:[A-Z])[\w&.'’-]*){0,3}?)(?:['’]s?)?\s+"
    # (only a word of rank between: "Lynas thanked president X" names no employer)
    r"(?:(?:acting|interim|deputy|former|new|outgoing|incoming|founding|group|executive)\s+){0,2}"
    r"(?:chief executive(?: officer)?|chief financial officer|"
    r"managing director|general manager|executive director|chairman|chairwoman|president|"
    r"spokes(?:man|woman|person)|founder)\s+"
    r"(?P<person>(?-i:[A-Z])[\w'’-]+(?:\s+(?-i:[A-Z])[\w'’-]+){1,2})\b"
)


# The same with the organisation's possessive: "said Aviaja Lynge, Sermilik's chief executive",
# "Liang Jianhua, Shaoguan Rising's chairman, said".
_PERSON_OF = re.compile(
    r"(?P<person>(?-i:[A-Z])[\w'’-]+(?:\s+(?-i:[A-Z])[\w'’-]+){1,3}),\s+(?:the\s+)?"
    r"(?P<org>(?-i:[A-Z])[\w&.'’-]*?(?:\s+(?:of\s+|and\s+)?(?-i:[A-Z])[\w&.'’-]*?){0,5})['’]s?\s+"
    r"(?:(?-i:[a-z])[\w-]*\s+){0,3}?(?:chief\s+executive|chairman|chairwoman|chair|president|"
    r"director|head|spokes(?:man|woman|person)|officer|founder|CEO|CFO|COO|manager)\b"
)


def _learn_speakers(text: str, start: int, end: int, ctx: _Context) -> None:
    """Remember whom the people a sentence quotes speak for ("managing director Katharina
    Haberl told this publication": Haberl, and "she" next, speak for the company), whether
    or not the sentence is proposed (a quotation without a figure is not)."""
    for m in _SAID_OFFICER.finditer(text, start, end):
        _origin_entity(m.group("who"), ctx)
    # '"...," said Lars Norgaard, head of natural resources at EIFO' (or "said Aviaja Lynge,
    # Sermilik's chief executive"): Norgaard, and "he" next, speak for EIFO.
    for pattern in (_PERSON_AT, _PERSON_OF, _ORG_TITLE_PERSON):
        for m in pattern.finditer(text, start, end):
            if m.groupdict().get("ref"):
                entity = ctx.last_company()
            else:
                org = m.group("org")
                entity = ctx.matcher.match_name(org) or next(
                    (x.entity for x in ctx.unknown_mentions(org, 0, len(org))), None
                )
            if entity is not None and entity.kind not in _REPORTER_KINDS:
                _speaks_for(m.group("person").split(), entity, ctx)
    for m in _MINISTER.finditer(text, start, end):
        _speaker_organisation(text[m.start() : min(end, m.end() + 40)], ctx)


def _speaker_organisation(phrase: str, ctx: _Context) -> EntityRef | None:
    """The organisation a person speaks for: a minister for the ministry of that portfolio
    ("Minister of Mining X", "Mining Minister X": the ministry of mining the text names, else
    the one of the country it is about); someone quoted before by name ("Whitford said"); "he"
    or "she" for whom the last person quoted spoke."""
    m = _MINISTER.search(phrase)
    if m:
        ministry = _ministry(m.group("a") or m.group("b"), ctx)
        if ministry is not None:
            _remember_speaker(phrase, ministry, ctx)
            return ministry
    head = phrase.strip().split()
    if head and head[0] in ctx.speakers:
        return ctx.speakers[head[0]]
    if re.match(r"^(?:he|she)\b", phrase.strip(), re.I):
        return ctx.last_speaker
    return None


def _ministry(portfolio: str, ctx: _Context) -> EntityRef | None:
    word = portfolio.split()[0].lower()
    candidates = [
        e
        for e in [*ctx.matcher.entities, *ctx.unknown.values()]
        if any("ministry" in n.lower() and word in n.lower() for n in (e.name, *e.aliases))
    ]
    named = set(ctx.named_in_text())
    state = ctx.topic_state()
    country = [n[:4].lower() for n in state.names if len(n) >= 4] if state else []
    for ok in (
        lambda e: e in named,
        lambda e: any(c in n.lower() for n in (e.name, *e.aliases) for c in country),
    ):
        hits = [e for e in candidates if ok(e)]
        if len(hits) == 1:
            return hits[0]
    return candidates[0] if len(candidates) == 1 else None


def _customs_body(phrase: str, ctx: _Context) -> EntityRef | None:
    """ "customs data showed", "according to Chinese customs data": the customs authority of
    the country named (in the phrase, else the text's), else the only one known."""
    candidates = [e for e in ctx.matcher.entities if any("customs" in n.lower() for n in e.names)]
    states = [m.entity for m in ctx.matcher.mentions(phrase) if m.entity.kind == "state"]
    state = states[0] if states else ctx.topic_state()
    if state is not None:
        keys = [n[:4].lower() for n in state.names if len(n) >= 4]
        keys += [w[:4].lower() for w in re.findall(r"\b[A-Z][a-z]{3,}", phrase)]
        hits = [
            e for e in candidates if any(k in n.lower() for n in (e.name, *e.names) for k in keys)
        ]
        if hits:
            return hits[0]
    return candidates[0] if len(candidates) == 1 else None


def _origin_of(phrase: str, ctx: _Context) -> int | None:
    entity = _origin_entity(phrase, ctx)
    return entity.id if entity is not None and entity.id > 0 else None


def _is_defined_term(phrase: str) -> bool:
    """ "the Company" / "the Group" capitalised: a press release's name for its issuer."""
    return bool(re.search(r"\b(?:Company|Group|Corporation)\b", phrase))


def _named_by_head_noun(noun: str, ctx: _Context) -> EntityRef | None:
    """The entity a definite description by `noun` refers to: the latest named in the
    paragraph, else lately, else anywhere in the text (known or not) whose name holds the
    noun ("Ministry of Mines and Energy" for "the Ministry", "Jiangxi Province" for "the
    province"); for "the government", else the state named there."""
    words = {"province": ("province", "provincial"), "centre": ("centre", "center")}.get(
        noun, (noun,)
    )

    def named(e: EntityRef) -> bool:
        return any(w in n.lower() for n in (e.name, *e.aliases) for w in words)

    pools = (
        list(reversed(ctx.paragraph)),
        list(reversed(ctx.recent)),
        [*ctx.named_in_text(), *ctx.unknown.values()],
        # the register's own short name ("Commission" for the European Commission)
        [e for e in ctx.matcher.entities if any(a.strip().lower() == noun for a in e.aliases)],
    )
    for near, pool in enumerate(pools):
        if near == 2 and noun == "government" and ctx.topic_state() is not None:
            # not named lately: the government of the country the text is about, before
            # any other whose name holds the word
            return ctx.topic_state()
        hit = next((e for e in pool if e.kind not in _REPORTER_KINDS and named(e)), None)
        if hit is None and noun == "government" and near < 2:
            hit = next((e for e in pool if e.kind == "state"), None)
        if hit is not None:
            return hit
    return ctx.topic_state() if noun == "government" else None
