"""Mentions: the names of a clause that can be what it is about (`_subject_mentions`): known
names and unknown organisations, less a dateline, anything in brackets, a place named as a place
or as a modifier ("a U.S. manufacturer", "Indonesian state miner Antam"), a yardstick, and an
outlet or data provider that only reports."""

from __future__ import annotations

import re

from intake.proposer.clauses import _mask
from intake.proposer.context import _Context, named_as_venue
from intake.proposer.entities import _REPORTER_KINDS, COMPANY_KINDS, Mention
from intake.proposer.text import _DATELINE

# The word after a name or noun is a verb (so the name is a subject, not a modifier): "The
# Commission has designated", "the ministry said", "the bank approved".
_VERB_NEXT = re.compile(
    r"\s+(?:also\s+|now\s+|still\s+)?(?:is|are|was|were|has|have|had|will|would|can|could|"
    r"may|might|must|should|shall|did|does|do|said|says|told|owns|holds|plans|expects|intends|"
    r"aims|wants|controls|agreed|approved|[a-z]{3,}ed)\b"
)
# A lower-case word that is not a function word after a name or noun: it may be the noun the
# name modifies ("a U.S. manufacturer", "the state consolidator").
_NOUN_NEXT = re.compile(
    r"\s+(?!(?:the|a|an|and|or|of|in|on|at|to|for|with|by|from|as|that|which|who|whose|its|"
    r"their|his|her|this|these|those|into|over|under|after|before|since|than)\b)[a-z]"
)
# A state named as where an organisation is from: "Kazakhstan's state miner Tau-Steppe",
# "one of Japan's largest general trading houses", "Brazil's national development bank BNDES".
_STATE_OF_ORIGIN = re.compile(
    r"^['’]s\s+(?:(?-i:[a-z])[\w-]*\s+){0,4}?"
    r"(?:company|companies|firm|group|miner|producer|refiner|developer|maker|manufacturer|"
    r"supplier|house|houses|bank|fund|lender|investor|conglomerate|utility|trader|smelter|"
    r"exporter|importer|agency|agencies|insurer|operator|holding)s?\b",
    re.I,
)
_PROJECT_AFTER = re.compile(
    r"(?:\s+(?:rare\s+earths?|[\w-]+)){0,3}?\s+(?:project|mine|deposit|prospect|Project|Mine)\b"
)


_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|of|from|to|outside|across|into|at|for|by|with|within|throughout|than|on|"
    r"around|near|beyond|through|via|under)\s+(?:the\s+)?(?-i:[A-Z][a-z]+\s+)?"
    # "in southern Greenland", "in north-east India": a part of the place
    r"(?:(?:north|south|east|west|central|north-east|north-west|south-east|south-west)"
    r"(?:ern)?\s+)?"
    # "in Australia and Malawi", "from Peru, Chile or Bolivia": the places after the first
    r"(?-i:(?:[A-Z][\w.'’-]+(?:\s[A-Z][\w.'’-]+)?,?\s+){1,3}(?:and|or)\s+)?$",
    re.I,
)
_GOVERNMENT_NOUN = re.compile(
    r"^\s*(?:government|authorities|state|ministry|department|regulators?|officials?)\b", re.I
)


# What something is measured against, once its subject is named: "overtaking Vietnam as the
# third-largest buyer", "ahead of Japan", "compared with Lynas's 10,000 tonnes".
_COMPARATOR_BEFORE = re.compile(
    r"\b(?:overtaking|overtook|surpassing|surpassed|outpacing|ahead\s+of|behind|"
    r"compared\s+(?:with|to)|versus|vs\.?|than|displacing|replacing|after)\s+(?:the\s+)?$",
    re.I,
)


# A body that is a party to what it is named in, not a place: "a loan from the European
# Investment Bank", "a grant from the Export Finance Agency".
_PARTY_BODY = re.compile(r"\b(?:Bank|Fund|Agency|Finance|Facility|Corporation|Commission)\b")


# A state's name used as an adjective before what an organisation is and its name, with no
# determiner needed: "Indonesian state miner PT Aneka Tambang", "Chinese processor Dianchi",
# "Australia's ... " aside (`_STATE_OF_ORIGIN`).
_STATE_BEFORE_NAME = re.compile(
    r"\s+(?:(?-i:[a-z])[\w-]*\s+){0,2}?(?:miner|company|group|producer|refiner|processor|"
    r"developer|explorer|manufacturer|maker|supplier|smelter|conglomerate|trading\s+house|"
    r"lender|bank|fund|investor|utility|trader|exporter|importer|operator|consolidator|"
    r"holding\s+company)s?\s+(?:(?-i:[A-Z])|\()",
    re.I,
)


# A name set off by commas with a verb of saying after it, in the middle of a clause: its
# source, not what it is about ("Imported feedstock, the Association of China Rare Earth
# Industry estimates, supplied about 38%").
_SAYER_ASIDE = re.compile(
    r"\s+(?:estimates?|estimated|said|says|reported|reports|noted|notes|believes|calculates|"
    r"calculated|figures\s+show(?:ed)?|data\s+show(?:ed)?)\s*,"
)
# A price reporter's verb: "Fastmarkets assessed dysprosium oxide at $455-$470" (its source).
_ASSESSES = re.compile(r"\s+(?:assessed|assesses|quoted|quotes|priced|prices|put)\b")
# A price's delivery basis names a place: "CIF Japan and Korea", "FOB China", "delivered Europe".
_PRICE_BASIS_BEFORE = re.compile(
    r"\b(?:CIF|FOB|CFR|DDP|DAP|EXW|ex-works|delivered(?:\s+(?:to|in))?)\s+"
    r"(?:(?:[A-Z][\w.'’-]+\s+)?(?:and|or|/)\s*)?$"
)


def _subject_mentions(text: str, start: int, end: int, ctx: _Context) -> list[Mention]:
    """The mentions of a clause that can be what it is about: known names and unknown
    organisations named before, less a dateline ("PERTH, July 24 (Reuters) -"), anything in
    brackets ("(NASDAQ: AMAG)"), a place named as a place or a modifier ("in South Africa",
    "a U.S. manufacturer", "the Australian miner"), and a news outlet or data provider when
    anyone else is named (it reports; it is not the subject)."""
    unknown = ctx.unknown_mentions(text, start, end)
    known = [
        k
        for k in ctx.matcher.mentions(text, start, end)
        if not any(u.start < k.start and k.end <= u.end for u in unknown)
        and not (k.entity.kind in COMPANY_KINDS and named_as_venue(text, k))
    ]
    mentions = sorted([*known, *unknown], key=lambda m: m.start)
    body = text[start:end]
    dateline = _DATELINE.match(body)
    skip_to = start + dateline.end() if dateline else start
    masked = _mask(text, start, end)
    kept = []
    for m in mentions:
        # "Fujian ... Commission (Fujian SASAC)": a name defined in brackets after a name;
        # "Regulation (EU) 2024/1252" is a reference, not a party.
        alone_in_brackets = (
            text[m.start - 1 : m.start] == "("
            and text[m.end : m.end + 1] == ")"
            and bool(
                re.search(r"[A-Z][\w.&'’-]*[\s,]*$", text[max(start, m.start - 40) : m.start - 1])
            )
            and not re.search(
                r"\b(?:Regulation|Directive|Act|Article|Decision)\s*$",
                text[max(start, m.start - 20) : m.start - 1],
            )
        )
        bracketed = masked[m.start - start] == "_" or text[m.start - 1 : m.start] == "("
        if m.start < skip_to or (bracketed and not alone_in_brackets):
            continue
        if m.entity.id < 0 and _PROJECT_AFTER.match(text, m.end):
            continue  # "to the Nuuluk rare earths project": the project, not its company
        if m.entity.kind == "state" and any(
            o.start > m.end and text[m.end : o.start].strip() in ("", "'s", "’s") for o in mentions
        ):
            continue  # "U.S. Department of Defense": the state names the body after it
        if _SAYER_ASIDE.match(text, m.end) and re.search(
            r",\s*(?:the\s+)?$", text[max(start, m.start - 6) : m.start]
        ):
            continue  # "Imported feedstock, the Association ... estimates, supplied 38%": who says
        if _PRICE_BASIS_BEFORE.search(text[max(start, m.start - 20) : m.start]):
            continue  # "dysprosium oxide, CIF Japan and Korea, at $455": where it is delivered
        if m.entity.kind in _REPORTER_KINDS and (
            m.start > start + 2 or _ASSESSES.match(text, m.end)
        ):
            continue  # "according to Shanghai Metals Market", "the S&P/ASX 200 index"
        if m.entity.kind in ("state", "government_body"):
            before = text[max(start, m.start - 30) : m.start]
            if m.entity.kind == "government_body" and re.search(
                r"\b(?:inspectors|officials|officers|representatives|staff|auditors|"
                r"investigators|teams?)\s+from\s+(?:the\s+)?$",
                before,
                re.I,
            ):
                kept.append(m)  # "Inspectors from the Ministry of Ecology ... closed": its own
                continue
            after = text[m.end : min(end, m.end + 20)]
            # "a U.S. manufacturer", "the Australian miner": a determiner, then the name used
            # as an adjective before a common noun.
            modifier = (
                re.search(r"\b(?:a|an|the|its|their|this|that)\s+$", before, re.I)
                and _NOUN_NEXT.match(after)
                and not _VERB_NEXT.match(after)  # "The Commission has designated": its subject
                and not _GOVERNMENT_NOUN.match(after)
            )
            # "of Malawi's cabinet": Malawi's organ; but "Kazakhstan's state miner Tau-Steppe",
            # "one of Japan's largest trading houses": the state only says where it is from.
            possessive = re.match(r"^['’]s\s", after) and not _STATE_OF_ORIGIN.match(
                text[m.end : min(end, m.end + 80)]
            )
            origin = _STATE_OF_ORIGIN.match(text[m.end : m.end + 80])
            industry = (
                # "Japan's producers made 9,800 tonnes": the country's industry, its subject
                origin
                and origin.group(0).endswith("s")
                and not before.rstrip().endswith(" of")
                and re.match(r"\s+(?-i:[a-z])[a-z]+(?:ed|s)?\b", text[m.end + origin.end() :])
            )
            if m.entity.kind == "state" and origin and not industry:
                continue
            if (
                _LOCATIVE_BEFORE.search(before)
                and not _GOVERNMENT_NOUN.match(after)
                # "supply outside China, whose magnet exports fell 3.2%": what the relative
                # clause states is about the place
                and not re.match(r",\s+whose\b", after)
                and not possessive
                and (
                    m.entity.kind == "state"
                    or not (
                        _PARTY_BODY.search(m.entity.name)
                        or _PARTY_BODY.search(text[m.start : m.end])
                    )
                )
            ):
                continue
            if m.entity.kind == "state" and modifier:
                continue
            if (
                m.entity.kind == "state"
                and re.search(r"\b(?:on|onto|off|from)\s+the\s+$", before)
                and re.match(
                    r"['’]s\s+(?:[\w-]+\s+){0,3}?list\b", text[m.end : min(end, m.end + 60)]
                )
            ):
                continue  # "metals on the EU's critical list": whose list, not what it is about
            if m.entity.kind == "state" and _STATE_BEFORE_NAME.match(text, m.end, end):
                continue  # "Indonesian state miner PT Aneka Tambang signed": where it is from
            if modifier and not re.search(r"government|state|ministry", m.entity.name, re.I):
                continue
        if kept and _COMPARATOR_BEFORE.search(text[max(start, m.start - 30) : m.start]):
            continue  # "India's purchases rose 23%, overtaking Vietnam": a yardstick
        kept.append(m)
    if any(m.entity.kind not in _REPORTER_KINDS for m in kept):
        kept = [m for m in kept if m.entity.kind not in _REPORTER_KINDS]
    return kept
