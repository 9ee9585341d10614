"""How a text names organisations: names the register does not know (`unknown_subjects`,
`_unknown_names`), the short names a text uses after the full one (`_short_names`), the words of
organisations and of the mineral reporting codes, a subject of its own ("a smaller producer in
Jiangxi"), a research house, and the phrases that refer back to a company ("the company", "they",
"the plant")."""

from __future__ import annotations

import re

from intake.proposer.entities import _LEGAL_PREFIXES, _LEGAL_SUFFIXES, EntityMatcher, EntityRef

_PRONOUN_START = re.compile(
    r"^(?:they|it|its|their|these|those|that|this|he|she|his|her|"
    r"the (?:company|firm|group|center|centre|unit|project|bases?))\b",
    re.I,
)
# A definite description of a company: "the company", "the Darwin-based developer", "the
# Toronto-listed rare earths producer" (up to three modifiers before a noun naming what a
# company is; a buyer or a customer is someone else).
_COMPANY_NOUNS = (
    r"(?:company|firm|group|miner|producer|enterprise|refiner|developer|explorer|manufacturer|"
    r"maker|carmaker|automaker|supplier|processor|operator|smelter|conglomerate|consolidator|"
    r"exporter|importer|start-?up|corporation|concern|business)"
)
_COREF_COMPANY = re.compile(
    rf"\bthe (?:[\w.’'-]+\s+){{0,3}}?{_COMPANY_NOUNS}(?:[’']s)?\b",
    re.I,
)


_NOT_SHORT = {
    "the",
    "a",
    "an",
    "three",
    "two",
    "four",
    "five",
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "new",
    "great",
    "first",
    "national",
    "china",
    "chinese",
    "american",
    "australian",
    "united",
    "global",
    "international",
    "royal",
    "general",
    "state",
    "federal",
    "department",
    "ministry",
    "office",
}


def _short_names(name: str) -> list[str]:
    """Shorter names a text uses for an organisation after naming it in full: without its
    legal suffix ("Allegheny Magnetics" for "Allegheny Magnetics Inc."), and its first word
    when that is a distinctive name ("Allegheny", "Chilwa"; not "South" or "Three")."""
    words = name.split()
    out = []
    while len(words) > 1 and words[-1].lower().rstrip(".,") in _LEGAL_SUFFIXES:
        words = words[:-1]
        out.append(" ".join(words))
    if len(words) > 2 and words[0] in _LEGAL_PREFIXES:
        words = words[1:]
        out.append(" ".join(words))
    first = words[0] if words else ""
    if (
        len(words) >= 2
        and len(first) >= 4
        # "Allegheny", "Tau-Steppe": capitalised, each part of a hyphenated word too
        and all(part[:1].isupper() and part[1:].islower() for part in first.split("-"))
        and first.lower() not in _NOT_SHORT
        and first.lower() not in _ORG_WORD
        and first not in _NOT_NAMES
    ):
        out.append(first)
    return [o for o in out if o and o != name]


# A clause with a subject of its own that is not a known entity: "a smaller producer in
# Jiangxi said ...", "Another refiner ...", "One buyer ...".
_OWN_SUBJECT = re.compile(
    r"^(?:a|an|another|one|some|several|two|three|many|most|other)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:producers?|compan(?:y|ies)|firms?|miners?|refiners?|groups?|makers?|manufacturers?|"
    r"suppliers?|buyers?|traders?|smelters?|processors?|start-?ups?|developers?|investors?|"
    r"analysts?|officials?|executives?|customers?|rivals?|competitors?|plants?|operators?|"
    # the trades of the supply chain: "a smaller aggregator in Quebec", "a recycler in Ohio"
    r"aggregators?|recyclers?|separators?|exporters?|importers?|explorers?|consolidators?|"
    r"distributors?|fabricators?|merchants?|brokers?|lenders?|carmakers?|automakers?)\b",
    re.I,
)
# A definite description of a company's part or document: "The plant ...", "The board ...",
# "The PFS estimates ...", "Commercial production ...".
# "Settlement of the placement ...", "Commissioning of the demonstration circuit ...": an
# action's noun before "of" puts the part after it in subject position.
_PART_OF_COMPANY = re.compile(
    r"^(?:(?:in|during|over|for)\s+the\s+(?:year|quarter|half|period|six months|month)\b"
    r"[^,]{0,30}?,?\s+)?"
    r"(?:(?:settlement|completion|commissioning|construction|proceeds|funds|drawdown|"
    r"closing|approval|delivery|first\s+production|start-?up)\s+(?:from\s+|of\s+))?"
    # "Construction is scheduled to begin ...", "Commissioning is targeted for ...": the
    # action alone, with the part it is of understood
    r"(?:(?:construction|commissioning|first\s+production|production|drilling)\s+"
    r"(?=(?:is|was|will|began|begins|started|starts|remains)\b)|"
    r"(?:the|its)\s+(?:[\w-]+\s+){0,2}?(?:plant|mine|project|study|board|facility|refinery|"
    r"licen[cs]e|venture|joint venture|deal|purchase|acquisition|transaction|"
    r"factory|site|operations?|deposit|line|subsidiary|business|division|management|"
    r"chief executive|shares|stock|expansion|reserve|resource|mine life|PFS|DFS|BFS|PEA|"
    r"feasibility study|(?:economic\s+)?assessment|grant|loan|offtake|agreement|contract|"
    r"basket price|placement|offering|capital raising|raising|entitlement offer|tranche|"
    r"circuit|pilot plant|drilling|drill programme|drill program))\b",
    re.I,
)
# An analyst's firm by its name: "Andaman Ridge Research", "Harbour Securities", "Tarrant
# Metals Research", "Brightwater Equity Research".
_RESEARCH_HOUSE = re.compile(
    r"\b(?:Research|Securities|Analytics|Intelligence|Insights|Advisory|Advisors|Consulting|"
    r"Consultants|Economics|Strategists)\b"
)


def _is_research_house(entity: EntityRef | None) -> bool:
    return entity is not None and bool(_RESEARCH_HOUSE.search(entity.name))


_ORG_WORDS = (
    "group holdings holding magnetics metals materials resources mining minerals earths "
    "corp corporation company co inc ltd plc llc limited pty industries technologies technology "
    "energy chemicals partners capital bank fund refinery smelting ventures trust works motors "
    "elements research institute university association authority agency commission council "
    "exchange consortium alliance army militia "
    # Legal forms of companies elsewhere: Malaysia and Brunei (Sdn Bhd, Berhad), Singapore (Pte),
    # Indonesia (Tbk), Germany and Austria (GmbH, AG, KG, SE), France, Spain, Belgium (SA, SAS,
    # SARL), Italy (SpA, Srl), the Netherlands (NV, BV), the Nordics (AB, ASA, AS, Oy, A/S),
    # Japan (KK), Russia and Kazakhstan (JSC, PJSC), partnerships (LP, LLP).
    "sdn bhd berhad pte tbk gmbh ag kg se sa sas sarl spa srl nv bv ab asa oy oyj kk jsc pjsc "
    "lp llp"
)
_ORG_WORD = set(_ORG_WORDS.split())
_ORG_HEAD = {
    "ministry",
    "department",
    "bank",
    "university",
    "office",
    "commission",
    "bureau",
    "agency",
    "council",
    "institute",
    "administration",
    "authority",
    "board",
    "state",
}


# A company's own organ, named with capitals in a release ("the Board of Directors", "the
# Board of Kimberley Ionic Clays Limited"): its part, not an organisation.
_COMPANY_ORGAN = re.compile(
    r"^(?:Board(?: of Directors)?|Audit Committee|Executive Committee|Management Board|"
    r"Supervisory Board|Annual General Meeting|General Meeting)(?:\s+of\s+.+)?$"
)


_ADJECTIVE_PREFIX = re.compile(
    r"^[A-Z][\w.'’]*-(?:listed|based|owned|headquartered|registered|controlled|backed|"
    r"focused|born)$"
)


# A country's name inside a company's legal name, before its legal suffix: "Kisaragi Rare Earths
# India Pvt Ltd", "Siam Lanthanide (Thailand) Co., Ltd.", "Hanbit Magnetics Vietnam LLC".
_COUNTRY_UNIT = re.compile(
    r"\)?\s+(?:Pvt\.?|Pty\.?|Private|Ltd\.?|Limited|Co\.,?|GmbH|S\.A\.|SA|LLC|Inc\.?|Sdn|"
    r"B\.V\.|BV|Oy|AB|AS|A/S|Tbk|JSC|Corp\.?)(?![\w-])"
)


def unknown_subjects(
    text: str, start: int, end: int, matcher: EntityMatcher, *, indefinite: bool = True
) -> list[str]:
    """Organisations the clause names that the register does not know: an indefinite subject
    ("a smaller producer in Jiangxi") or a capitalised name of several words ending in an
    organisation's word ("Lanshan Magnetics", "Hunan Metals Group"). Known names are left out;
    an editor can turn one of these into an entity."""
    body = list(text[start:end])
    for mention in matcher.mentions(text, start, end):
        if re.search(r"\b[A-Z][a-z]+-$", text[max(start, mention.start - 20) : mention.start]):
            continue  # "Nippon-Australia Critical Metals": the place is part of a name
        if (
            mention.entity.kind == "state"
            and re.search(
                r"\b[A-Z][\w&'’-]*\s+\(?$", text[max(start, mention.start - 30) : mention.start]
            )
            and _COUNTRY_UNIT.match(text, mention.end)
        ):
            continue  # "Kisaragi Rare Earths India Pvt Ltd": a company's local unit, one name
        for i in range(mention.start - start, mention.end - start):
            body[i] = " "
    clause = "".join(body)
    out: list[str] = []
    # An indefinite organisation as the clause's subject ("a smaller producer in Jiangxi
    # said ...") or after "at" / "by" / "from" ("sales rose 40% at a smaller producer").
    starts = [len(clause) - len(clause.lstrip())] if indefinite else []
    if indefinite:
        starts += [
            m.end() for m in re.finditer(r"\b(?:at|by)\s+(?=(?:a|an|another|one)\s)", clause)
        ]
    whole = text[start:end]
    for lead in starts:
        m = _OWN_SUBJECT.match(clause[lead:])
        if not m or m.group(0).lower().endswith(("plant", "plants")):
            continue  # "at a uranium processing plant", "A separation plant ...": no organisation
        # where it is, known place names included: "a smaller producer in East Kazakhstan"
        tail = re.match(
            r"(?:\s+(?:in|from|based in)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)?",
            whole[lead + m.end() :],
        )
        out.append(" ".join(whole[lead : lead + m.end() + tail.end()].split()))
    for name in _NAME.finditer(clause):
        words = name.group(0).split()
        # (after an opening quote, "s’" closes the quotation: "its ‘Critical Minerals’ list")
        quoted = clause[max(0, name.start() - 1) : name.start()] in ("‘", "'")
        possessive = _OWNERS_S if quoted else _POSSESSIVE
        owners = [i for i, w in enumerate(words[:-1]) if possessive.search(w)]
        if owners:
            # "Tau-Steppe and Hamburg's Hanseatic Critical Materials": a possessive inside
            # the run says whose or where; the name is what follows it. Whose it says is a
            # name too when it reads as an organisation's: "from Sambirano Resources'
            # Ambohimena project".
            owner = words[owners[-2] + 1 if len(owners) > 1 else 0 : owners[-1] + 1]
            owner[-1] = possessive.sub("", owner[-1])
            owner, _ = _without_lead(owner)
            if len(owner) >= 2 and owner[-1].lower().rstrip(".") in _ORG_WORD:
                out.append(" ".join(owner))
            words = words[owners[-1] + 1 :]
        elif words and possessive.search(words[-1]):
            # "Kalinaw Rare Earths' plant", "Sambirano Resources's project": the name is
            # the owner's, without its possessive
            words[-1] = possessive.sub("", words[-1])
        words, prefixed = _without_lead(words)
        if "of" in words[1:-1] and words[-1].lower().rstrip(".") not in _ORG_WORD:
            # "Tohoku Metal Industries of Japan", "Hanbit Magnetics of South Korea": the
            # organisation, then where it is from.
            cut = len(words) - 1 - words[::-1].index("of")
            if words[cut - 1].lower().rstrip(".") in _ORG_WORD:
                words = words[:cut]
        org_last = len(words) >= 2 and words[-1].lower().rstrip(".") in _ORG_WORD
        # "Ministry of Commerce", "Department of Energy", "Bank of Japan".
        org_head = len(words) >= 3 and words[0].lower() in _ORG_HEAD and words[1] == "of"
        introduced = bool(words) and (
            prefixed
            or _introduced_as_organisation(clause, name.start(), name.end())
            or _defines_acronym(words, clause[name.end() : name.end() + 16])
        )
        if re.search(r"\b(?:its|their|our)\s+$", clause[max(0, name.start() - 8) : name.start()]):
            continue  # "from its Critical Minerals Infrastructure Fund": the owner's programme
        if re.search(
            r"\b(?:under|through|via)\s+(?:the|its|their|our)\s+$",
            clause[max(0, name.start() - 16) : name.start()],
        ) and re.search(
            r"\b(?:Fund|Program(?:me)?|Initiative|Scheme|Facility|Plan)$", name.group(0)
        ):
            continue  # "committed C$6 million through the Critical Minerals Innovation Fund"
        if _REPORTING_TERM.match(" ".join(words)):
            continue  # "the total Mineral Resource", "Ore Reserves": a reporting code's term
        if len([w for w in words if w.endswith("ed") and w.lower() not in _NAME_PARTICIPLES]) >= 2:
            continue  # "Investee Country Instrument Committed Disbursed Fund": column headings
        if (
            prefixed
            and len(words) == 1
            and re.match(rf"\s+(?:[a-z][\w-]*\s+){{0,2}}?{_ORG_NOUNS}\b", clause[name.end() :])
        ):
            continue  # "the Tokyo-listed Japanese trading house": what it is, not a name
        if (org_last or org_head or introduced) and not _COMPANY_ORGAN.match(" ".join(words)):
            # "Dianchi's net profit": the organisation is Dianchi, not "Dianchi's"
            out.append(re.sub(r"['’]s$", "", " ".join(words)))
    # A family by its name holds stakes as an organisation does: "The founding Whitcomb family
    # holds about 40%", "the Rinehart family's trust".
    for fam in re.finditer(
        r"\b((?!(?:The|A|An|Its|Their)\b)(?-i:[A-Z])[\w'’-]+(?:\s+(?-i:[A-Z])[\w'’-]+)?)\s+family\b",
        whole,
    ):
        if fam.group(1) not in _NOT_NAMES:
            out.append(f"{fam.group(1)} family")
    return list(dict.fromkeys(out))


# Participles that are part of organisations' names ("United", "Consolidated").
_NAME_PARTICIPLES = {
    "united",
    "limited",
    "incorporated",
    "associated",
    "consolidated",
    "integrated",
    "advanced",
    "allied",
    "applied",
    "listed",
    "registered",
}


# The capitalised terms of the mineral reporting codes (JORC, NI 43-101, SAMREC, PERC): what
# an estimate is ("Measured Mineral Resources", "Proved Ore Reserves"), never who made it.
_REPORTING_TERM = re.compile(
    r"^(?:(?:Total|Measured|Indicated|Inferred|Proved|Proven|Probable)\s+(?:and\s+\w+\s+)?)?"
    r"(?:Mineral\s+(?:Resources?|Reserves?)|Ore\s+Reserves?|Exploration\s+Targets?|"
    r"Competent\s+Persons?|Qualified\s+Persons?)$"
)


# What a text calls an organisation when it introduces one, before its name ("private equity
# house Isar Growth Partners", "carmaker Velto", "its magnet subsidiary, Lanshan Magnetics")
# or in an appositive after it ("Sanwa Tsusho, the Japanese trading house,", "Velto, a maker
# of ...", "Kestrel, a company registered in Windhoek"), or as something held or listed
# ("shares in Velto", "a stake in Velto", "Velto (ASX: VLT)").
_ORG_NOUNS = (
    r"(?:company|firm|group|miner|producer|refiner|developer|explorer|manufacturer|maker|"
    r"carmaker|automaker|supplier|processor|operator|smelter|conglomerate|consolidator|"
    r"exporter|importer|start-?up|corporation|subsidiary|unit|affiliate|venture|house|fund|"
    r"investor|lender|bank|utility|insurer|trader|partner|arm|vehicle|agency|authority|"
    r"institute|regulator|body)"
)
_ORG_BEFORE_NAME = re.compile(
    rf"(?:\b{_ORG_NOUNS}(?:,)?|\b(?:shares|stake|stakes|interest|holding)\s+in)\s+$", re.I
)
_ORG_AFTER_NAME = re.compile(
    rf"^(?:,\s+(?:a|an|the|its)\s+(?:[\w.’'-]+\s+){{0,5}}?{_ORG_NOUNS}s?\b(?![’']s)"
    # an appositive ends, or goes on describing ("a maker of ..."); "..., the company said"
    # is an attribution after a place, not an appositive
    r"(?=\s*[,.;)]|\s*$|\s+(?:of|in|at|that|which|whose|based|registered|listed|"
    r"headquartered|owned|controlled|with|for|from|and|behind|since)\b)"
    r"|\s*\(\s*[A-Z]{2,}[\w.]*\s*:\s*[A-Z][A-Z.]{0,7}\s*\)"
    r"|['’]s\s+(?:shares|stock|board|chief executive|chairman|largest shareholder)\b)",
)


def _introduced_as_organisation(clause: str, start: int, end: int) -> bool:
    """Does the text call the name at clause[start:end] an organisation (`_ORG_BEFORE_NAME`,
    `_ORG_AFTER_NAME`)? A person's title is not one ("Dale Whitford, the miner's chief
    executive": a possessive is someone's part, not what the name is)."""
    before = clause[max(0, start - 40) : start]
    if re.search(r"\b(?:in|at|near|outside|to|from)\s+(?:[A-Z][\w'’-]+,\s+)?$", before):
        return False  # "its plant in Narva-Jõesuu, Estonia, ...": a place
    if all(w.lower().rstrip(".,") in _ORG_WORD for w in clause[start:end].split()):
        return False  # "(Pty) Ltd": a legal form, not a name
    return bool(_ORG_BEFORE_NAME.search(before) or _ORG_AFTER_NAME.match(clause[end : end + 120]))


# A trade or a body in a name that defines its acronym: what makes "Siam Lanthanide Refining
# (SLR)" an organisation and "Internal Rate of Return (IRR)", "New South Wales (NSW)" or "Net
# Smelter Return (NSR)" none.
_ORG_IN_NAME = re.compile(
    r"^(?:Refining|Processing|Recycling|Trading|Engineering|Smelting|Manufacturing|Shipping|"
    r"Exploration|Development|Investment|Industries|Industry|Enterprises?|Agency|Ministry|"
    r"Department|Bank|Office|Commission|Bureau|Authority|Administration|Council|Institute|"
    r"Board|Corporation|Company)$"
)
# What a name with an acronym of its own is when it is no organisation, by its last word: a
# study, a decision, a design ("Front End Engineering Design (FEED)"), a product or a
# measure ("Mixed Rare Earth Carbonate (MREC)"), a place ("Special Economic Zone (SEZ)").
_TERM_WORDS = (
    "study assessment decision agreement understanding statement report programme program "
    "plan strategy standard regulation act law code list target index price value return "
    "rate equivalent product design tax contract intent oxide oxides carbonate concentrate "
    "chloride hydroxide alloy magnet magnets element elements earths earth zone area region "
    "province territory republic kingdom emirates union project deposit mine plant"
)
_TERM_NOUNS = set(_TERM_WORDS.split())


def _defines_acronym(words: list[str], after: str) -> bool:
    """Is the name followed by an acronym made of it, as an organisation is introduced
    ("Siam Lanthanide Refining (SLR)", "Korea Mine Rehabilitation and Mineral Resources
    Corporation (KOMIR)"), with a word of a trade or a body in it (`_ORG_IN_NAME`) and no
    study, product, measure or place's noun at its end (`_TERM_NOUNS`)? The acronym opens with
    the name's first letter and takes its letters in order."""
    acronym = re.match(r"\s*\(\s*([A-Z]{2,7})\s*\)", after)
    if not acronym or len(words) < 2 or words[-1].lower() in _TERM_NOUNS:
        return False
    if not any(_ORG_IN_NAME.match(w) for w in words):
        return False
    name = " ".join(words)
    letters = iter(name.casefold())
    short = acronym.group(1).casefold()
    return short[0] == name[0].casefold() and all(c in letters for c in short)


# A possessive ending a word: "Lynas's", "Resources'", "Earths’"; only the first kind after
# an opening quote.
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_OWNERS_S = re.compile(r"['’]s$")


def _without_lead(words: list[str]) -> tuple[list[str], bool]:
    """A name's words without a sentence's opening word ("The", "In") and the adjectives
    before it ("Singapore-listed Orchid Strategic Metals": Orchid Strategic Metals), and
    whether there were such adjectives."""
    if words and (words[0] in _NOT_NAMES or words[0] == "ABOUT"):
        words = words[1:]
    prefixed = False
    while words and _ADJECTIVE_PREFIX.match(words[0]):
        words = words[1:]
        prefixed = True
    return words, prefixed


# The capital and small letters of the Latin alphabets (ASCII, Latin-1, Latin Extended-A and
# -B): "Éramet", "Ørsted", "KŁODNICA", "Tornefjäll" are names as "Lynas" is.
_LATIN = [chr(c) for c in range(0x41, 0x250)]
_UPPER = "[" + "".join(re.escape(c) for c in _LATIN if c.isupper()) + "]"
_LOWER = "[0-9" + "".join(re.escape(c) for c in _LATIN if c.islower()) + "]"
_NAME = re.compile(
    rf"(?<![\w.])(?:{_UPPER}[\w&'’-]*{_LOWER}[\w&'’-]*|{_UPPER}{{2,}})"
    # one space or line break between the words of a name: a run of spaces is a column gap
    # (a contact block's "Helen Okoro          Tristan Bell"), not a name going on
    # the particles of French, Iberian, Dutch and German names inside one: "Aimants de Lacq",
    # "Caisse des Dépôts", "Mineração do Cerrado", "Van der Berg Metals"
    r"(?:\s(?:of\s|and\s|&\s|(?:de|du|des|da|do|dos|das|del|la|van|von|der|den)\s)?"
    rf"{_UPPER}[\w&'’-]+)*"
)
_NOT_NAMES_WORDS = (
    "The A An This That These Those It Its They Their He She We Our In On At For By With From As "
    "And But Or If When While Meanwhile Elsewhere According Revenue Output Profit Net Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
    "July August September October November December About"
)
_NOT_NAMES = set(_NOT_NAMES_WORDS.split())


def _unknown_names(text: str) -> list[str]:
    """Capitalised names in a clause (not its first word, unless that is a name of several
    words or an acronym): an organisation or place the register does not know yet."""
    out = []
    for m in _NAME.finditer(text):
        name = m.group(0)
        first = name.split()[0]
        if first in _NOT_NAMES and " " not in name:
            continue
        if m.start() == 0 and " " not in name and not name.isupper():
            continue
        out.append(name)
    return out
