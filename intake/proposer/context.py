"""What the proposer knows while it reads one text (`_Context`): the entity matcher, the
entities named so far by paragraph and sentence, the organisations the text names that the
register does not know with the short names, tickers and defined terms it gives them
(`_learn_names`), the places it names, and the people quoted and whom they speak for."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from intake.proposer.entities import (
    _LEGAL_SUFFIXES,
    _LEGAL_TAIL,
    _REPORTER_KINDS,
    COMPANY_KINDS,
    EntityMatcher,
    EntityRef,
    Mention,
)
from intake.proposer.names import (
    _NOT_SHORT,
    _ORG_WORD,
    _RESEARCH_HOUSE,
    _is_research_house,
    _short_names,
    unknown_subjects,
)

# Nouns after which "in X" names a company, not a place: "shares in Arnhem", "a stake in X".
_IN_COMPANY = re.compile(
    r"(?i)^(?:shares?|stakes?|stock|holdings?|interests?|investments?|invested|equity)$"
)


# A stock exchange named as where a company is listed or announces, not as a party: "ASX
# ANNOUNCEMENT", "ASX: KRM", "(TSXV: TCM)", "ASX Listing Rule 7.1", "ASX-listed".
_VENUE_AFTER = re.compile(
    r"\s*(?::\s*[A-Z]{2,}|ANNOUNCEMENT\b|[Aa]nnouncement\b|Listing Rules?\b|-listed\b|"
    r"\s\d{2,3}\b)"  # an index: "the S&P/ASX 200"
)


# ... and in a relative clause that only says where the shares trade, inside a statement of
# something else: "Arsuk, whose shares trade on Nasdaq Copenhagen, holds 72.5% of ..." (a
# listing statement, "X is listed on Y", is about the exchange too).
_VENUE_BEFORE = re.compile(
    r"\bwhose\s+(?:shares|stock|units|securities)\s+(?:are\s+|is\s+)?"
    r"(?:trades?|traded|listed|quoted)\s+(?:on|in)\s+(?:the\s+)?$",
    re.I,
)


def named_as_venue(text: str, mention) -> bool:
    before = text[max(0, mention.start - 50) : mention.start]
    return (
        bool(_VENUE_AFTER.match(text, mention.end))
        or before.endswith("S&P/")
        or bool(_VENUE_BEFORE.search(before))
    )


@dataclass
class _Context:
    matcher: EntityMatcher
    main_subject: EntityRef | None
    outlet_id: int | None
    recent: list[EntityRef] = field(default_factory=list)
    paragraph: list[EntityRef] = field(default_factory=list)  # named so far in this paragraph
    sentence_subjects: list[EntityRef] = field(default_factory=list)  # of its earlier clauses
    said_before: list[EntityRef] = field(default_factory=list)  # the last sentence's subjects
    said_now: list[EntityRef] = field(default_factory=list)
    said_last: list[EntityRef] = field(default_factory=list)  # the last paragraph's last sentence
    section_attribution: str = ""
    section_origin: int | None = None
    guessed_paragraph: bool = False  # the paragraph break before is the reflow's guess

    unknown: dict[str, EntityRef] = field(default_factory=dict)  # by name: named, not known
    paragraph_subjects: list[EntityRef] = field(default_factory=list)  # in subject position
    subjects_seen: list[EntityRef] = field(default_factory=list)
    defined_company: EntityRef | None = None  # '("Coolgardie" or "the Company")'
    counts: dict[EntityRef, int] = field(default_factory=dict)  # company mentions
    table_context: dict | None = None  # what a table's rows are about (`_table_context`)
    unknown_matcher: EntityMatcher | None = None
    # People quoted so far, by each word of their name, and the organisation each speaks for
    # ("chief executive Dale Whitford told reporters": Whitford speaks for the company).
    speakers: dict[str, EntityRef] = field(default_factory=dict)
    last_speaker: EntityRef | None = None  # whom the last person quoted speaks for
    paragraph_serial: int = 0  # counts paragraphs
    # The organisation an attribution last named ("China's Ministry of Commerce said"), and
    # the paragraph it was in: whom a later "It said" may mean.
    last_sayer: EntityRef | None = None
    sayer_paragraph: int = -1
    speaker_paragraph: int = -1  # the paragraph last_speaker was quoted in

    def quoted_here(self) -> EntityRef | None:
        """Whom the person quoted in this paragraph speaks for (None when nobody was)."""
        return self.last_speaker if self.speaker_paragraph == self.paragraph_serial else None

    def recent_sayer(self) -> EntityRef | None:
        """The organisation an attribution named in this paragraph or the one before."""
        return self.last_sayer if self.paragraph_serial - self.sayer_paragraph <= 1 else None

    def new_paragraph(self, *, guessed: bool = False) -> None:
        """A new paragraph; `guessed` when only the reflow's guess ends the one before (a
        hard-wrapped line that ends a sentence short of the margin, no blank line after)."""
        self.guessed_paragraph = guessed
        self.paragraph_serial += 1
        self.paragraph = []
        self.paragraph_subjects = []
        self.said_last = self.said_now or self.said_before
        self.said_before, self.said_now = [], []

    def new_sentence(self) -> None:
        if self.said_now:
            self.said_before, self.said_now = self.said_now, []
        self.sentence_subjects = []

    def learn_unknown(self, name: str, *aliases: str) -> EntityRef | None:
        """Remember an organisation the text names that the register does not know, as an
        entity with a negative id (never stored: it becomes a named subject), with the short
        names the text may use for it later ("Allegheny" for "Allegheny Magnetics Inc.")."""
        name = " ".join(name.split()).rstrip(".,")
        # a known name opening it ("Lynas Rare Earths Ltd") makes it known; one inside it
        # ("Nippon-Australia Critical Metals Co.") does not
        if not name or any(m.start == 0 for m in self.matcher.mentions(name)):
            return None
        entity = self.unknown.get(name)
        capitals = next(
            (n for n in self.unknown if n != name and n.isupper() and n == name.upper()), None
        )
        if entity is None and capitals is not None:
            # "KŁODNICA MAGNETICS S.A." on a release's masthead, "Kłodnica Magnetics S.A." in
            # its text: one organisation, by the name as the text writes it.
            entity = self.unknown.pop(capitals)
            entity = EntityRef(entity.id, name, entity.kind, (*entity.aliases, capitals))
        elif entity is None and name.isupper():
            same = next((e for n, e in self.unknown.items() if n.upper() == name), None)
            if same is not None:
                # (the capitals as another name of it)
                name, entity, aliases = same.name, same, (*aliases, name)
        short = [n for n in _short_names(name) if " " in n or not self.is_place(n)]
        if name.endswith(" family"):
            short = []  # "Whitcomb" alone is a person of the family, who speaks for a company
        words = name.split()
        alone = (
            re.compile(rf"(?<!{words[0]}\s)(?<![\w-]){words[1]}(?![\w-])(?!\s+[A-Z])")
            if len(words) >= 3 and re.fullmatch(r"[A-Z][a-z]{3,}", words[1])
            else None
        )
        if (
            alone is not None
            and words[1].lower() not in _ORG_WORD
            and words[1].lower() not in _NOT_SHORT
            # a word the text also writes in lower case is an ordinary word ("Rare")
            and not re.search(rf"(?<![\w-]){words[1].lower()}(?![\w-])", self.text)
            and alone.search(self.text)
        ):
            # "Yunnan Dianxi Industrial Investment Group", later "Dianxi": a place first, the
            # name second, used alone further on.
            short.append(words[1])
        if entity is None:
            # "Hanseatic" after "Hanseatic Critical Materials GmbH": a short name of one
            # already learnt is that organisation.
            entity = next((e for e in self.unknown.values() if name in e.aliases), None)
            if entity is not None:
                name = entity.name
        if entity is None:
            # "Hanseatic Critical Materials" learnt first (a list item), its full name
            # "Hanseatic Critical Materials GmbH" after: one organisation, by its full name.
            entity = next((self.unknown.pop(n) for n in short if n in self.unknown), None)
            if entity is not None:
                aliases = (*aliases, entity.name)
        if entity is None:
            entity = EntityRef(-(len(self.unknown) + 1), name, _unknown_kind(name), ())
        merged = tuple(
            a
            for a in dict.fromkeys([*entity.aliases, *short, *aliases])
            if a and a != name and self.matcher.match_name(a) is None
        )
        if merged != entity.aliases or name not in self.unknown:
            entity = EntityRef(entity.id, name, entity.kind, merged)
            self.unknown[name] = entity
            self.unknown_matcher = None  # rebuilt when next needed
        return entity

    text: str = ""
    places: set[str] | None = None  # words the text uses as places (`is_place`)

    def is_place(self, word: str) -> bool:
        """Does the text use `word` as a place ("in Ganzhou", "GANZHOU, China, Aug 5 -")? Then
        it is no short name for "Ganzhou Xinlei Magnetics"."""
        if self.places is None:
            self.places = (
                {
                    m.group(2)
                    for m in re.finditer(
                        r"(\w+\s+)?\b(?:in|at|near|outside)\s+(?:the\s+)?([A-Z][\w'’-]*)", self.text
                    )
                    # "shares in Arnhem", "a stake in Tenggara": an ownership noun before "in"
                    # makes what follows a company, not a place.
                    if not (m.group(1) and _IN_COMPANY.match(m.group(1).strip()))
                }
                | {m.group(1).title() for m in re.finditer(r"(?m)^([A-Z][A-Z'’-]+),", self.text)}
                | {
                    # "the Kunene Region", "Jiangxi Province", "Kwale County": a place's name
                    m.group(1)
                    for m in re.finditer(
                        # ("the Erongo region" may name a company's short name too: only
                        # the capitalised Region is a place's name)
                        r"\b([A-Z][\w'’-]+)\s+(?:Region|[Pp]rovince|County|District|"
                        r"[Pp]refecture|Governorate|Oblast|Territory|Valley|Basin)\b",
                        self.text,
                    )
                }
            )
        return word in self.places

    def unknown_mentions(self, text: str, start: int, end: int) -> list[Mention]:
        if not self.unknown:
            return []
        if self.unknown_matcher is None:
            self.unknown_matcher = EntityMatcher(self.unknown.values(), in_compounds=False)
        known = self.matcher.mentions(text, start, end)
        # an unknown name holding a known one whole ("Nippon-Australia Critical Metals Co.")
        # is kept; the known name inside it is no mention of its own (`_subject_mentions`)
        return [
            m
            for m in self.unknown_matcher.mentions(text, start, end)
            if not any(
                k.start < m.end and m.start < k.end and not (m.start < k.start and k.end <= m.end)
                for k in known
            )
        ]

    named_all: list[EntityRef] | None = None
    topic: list[EntityRef] | None = None

    def topic_state(self) -> EntityRef | None:
        """The country a text is about: the state it names most, twice at least and more
        often than any other."""
        if self.topic is None:
            counts: dict[EntityRef, int] = {}
            for m in self.matcher.mentions(self.text):
                if m.entity.kind == "state":
                    counts[m.entity] = counts.get(m.entity, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            top = ranked[0] if ranked else None
            ok = top and top[1] >= 2 and (len(ranked) == 1 or ranked[1][1] < top[1])
            self.topic = [top[0]] if ok else []
        return self.topic[0] if self.topic else None

    def named_in_text(self) -> list[EntityRef]:
        """The known entities the whole text names, in order of first mention."""
        if self.named_all is None:
            named = [m.entity for m in self.matcher.mentions(self.text)]
            self.masthead = []
            # A masthead, running header or footer in capitals ("REPUBLIC OF NAMIBIA ·
            # MINISTRY OF MINES AND ENERGY"): the names in it, whatever their case.
            for line in re.findall(r"[^\n]{8,}", self.text):
                if not (line.isupper() and len(re.findall(r"[A-Z]{2,}", line)) >= 3):
                    continue
                folded = line.casefold()
                self.masthead += [
                    e
                    for e in self.matcher.entities
                    if any(
                        re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", folded)
                        for n in e.names
                        if len(n) >= 4
                    )
                ]
            self.masthead = list(dict.fromkeys(self.masthead))
            named += self.masthead
            self.named_all = list(dict.fromkeys(named))
        return self.named_all

    masthead: list[EntityRef] | None = None

    def issuer(self) -> EntityRef | None:
        """Whose own voice the document is: a press release's defined company ('"KIC" or
        "the Company"'), else the one body or company a masthead or running header in
        capitals names ("REPUBLIC OF NAMIBIA · MINISTRY OF MINES AND ENERGY")."""
        if self.defined_company is not None:
            return self.defined_company
        self.named_in_text()
        bodies = [e for e in self.masthead or [] if e.kind != "state"]
        return bodies[0] if len(bodies) == 1 else None

    def written_by_analysts(self) -> bool:
        """Is the document a research house's note ("Andaman Ridge Research" at its head or
        in its masthead)? Then its "we" is who says things, never what they are about."""
        if self.analyst_note is None:
            self.named_in_text()
            authors = [self.issuer(), self.head_company(), *(self.masthead or [])]
            # the head of the note: its title, dek and byline ("... · Andaman Ridge Research,
            # Singapore · Analysts: ...")
            head = self.text[:800]
            self.analyst_note = any(_is_research_house(e) for e in authors) or bool(
                re.search(
                    r"[A-Z][\w&-]+(?:\s+[A-Z][\w&-]+){0,3}\s+" + _RESEARCH_HOUSE.pattern, head
                )
                or re.search(r"^\s*Analysts?\s*:|·\s*Analysts?\s*:", head, re.M)
            )
        return self.analyst_note

    analyst_note: bool | None = None

    def remember(self, entities: list[EntityRef]) -> None:
        for entity in entities:
            if entity.kind in _REPORTER_KINDS:
                continue  # an outlet reports; "it" / "the company" never refers to it
            for seen in (self.recent, self.paragraph):
                if entity in seen:
                    seen.remove(entity)
                seen.append(entity)
        del self.recent[:-8]

    def described(self, phrase: str, before: int) -> EntityRef | None:
        """The organisation the text introduced with the description a definite one repeats:
        "the magnet maker" after "French magnet maker Aimants de Lacq" or "Aimants de Lacq, a
        French magnet maker,", "the processor" after "Mahanadi Rare Metals, a processor in
        Ganjam," (its last two words, or one that says what the organisation does: "the
        company" or "the group" alone is never one)."""
        words = re.sub(r"^the\s+", "", phrase.strip(), flags=re.I)
        words = re.sub(r"['’]s$", "", words).split()
        if not words or (len(words) < 2 and words[0].lower() in _GENERIC_NOUNS):
            return None  # "the company", "the group": no description to look for
        tail = r"\s+".join(map(re.escape, words[-2:]))
        for hit in reversed(list(re.finditer(rf"(?<![\w-]){tail}(?![\w-])", self.text[:before]))):
            if re.search(
                r"\bthe\s+(?:[\w-]+\s+)?$", self.text[max(0, hit.start() - 30) : hit.start()]
            ):
                continue  # "the magnet maker" again: a repeat, not the introduction
            after = hit.end() + 1
            lo = max(0, hit.start() - 120)
            window = [
                *self.matcher.mentions(self.text, lo, min(len(self.text), after + 80)),
                *self.unknown_mentions(self.text, lo, min(len(self.text), after + 80)),
            ]
            # "magnet maker Aimants de Lacq": the name right after
            named = next((m for m in window if m.start == after), None)
            if named is None:
                # "Aimants de Lacq SAS, a French magnet maker": the name before the appositive
                lead = re.search(
                    r",\s+(?:a|an|the)\s+(?:[\w.’'-]+\s+){0,4}$", self.text[lo : hit.start()]
                )
                if lead:
                    at = lo + lead.start()
                    named = next((m for m in reversed(window) if m.end == at), None)
            if named is not None:
                return named.entity
        return None

    def last_company(
        self, *, defined_term: bool = False, exclude: Iterable[EntityRef] = ()
    ) -> EntityRef | None:
        """The company "the company" / "the miner" refers to: the last one named in the
        paragraph, else before it ("the company" never introduces a new one); "the Company"
        (a press release's defined term) with none named is the company the article is
        about."""
        exclude = set(exclude)
        if exclude:
            # Someone other than who the clause names: "X holds 22.4% of its stock" (X does
            # not hold itself).
            return next(
                (
                    e
                    for pool in (
                        [self.last_company(defined_term=defined_term)],
                        self.recent_companies(),
                    )
                    for e in pool
                    if e is not None and e not in exclude
                ),
                None,
            )
        if defined_term:
            issuer = self.defined_company or self.head_company()
            if issuer is not None:
                return issuer
        # A company that was a sentence's subject is the likelier referent than one named
        # after it ("Allegheny has signed an agreement with Meridian Motor Works. The company
        # will ..." is Allegheny).
        # After a heading, with no company named in the new section yet, it is the company
        # the article is about.
        if not self.paragraph_subjects and not self.paragraph and not self.guessed_paragraph:
            # Opening a paragraph, "the company" is the company the article is about: the
            # paragraph before may have been about a buyer or a partner. Not after a break
            # only the reflow guessed: the sentence before may end the same paragraph.
            main = self.main_company()
            if main is not None:
                return main
        for pool in (self.paragraph_subjects, self.subjects_seen, self.paragraph):
            for entity in reversed(pool):
                if entity.kind in COMPANY_KINDS:
                    return entity
        main = self.main_company()
        if main is not None:
            return main
        for entity in reversed(self.recent):
            if entity.kind in COMPANY_KINDS:
                return entity
        return None

    def recent_companies(self) -> list[EntityRef]:
        """Companies named lately, the latest first: in subject position in the paragraph,
        lately, then anywhere in the paragraph, then before it."""
        pools = (self.paragraph_subjects, self.subjects_seen, self.paragraph, self.recent)
        return list(
            dict.fromkeys(e for pool in pools for e in reversed(pool) if e.kind in COMPANY_KINDS)
        )

    head: list[EntityRef] | None = None

    def head_company(self) -> EntityRef | None:
        """The company a document names at its head, before its first blank line (a report's
        "Fujian Minjiang Rare Earth Group Co., Ltd. (Stock code: 600987) · Excerpt from the
        2025 Annual Report", a release's masthead): what its "the Group" / "the Company" means
        when it defines no short name. A known company, or an unknown one by its legal name
        (ending in Co., Ltd., Limited, Inc. ...): a headline's other names are no issuer."""
        if self.head is None:
            end = self.text.find("\n\n")
            end = min(end if end >= 0 else len(self.text), 400)
            found = [
                (m.start, m.entity)
                for m in self.matcher.mentions(self.text, 0, end)
                if m.entity.kind in COMPANY_KINDS and not named_as_venue(self.text, m)
            ]
            # Line by line: a heading above the name is no part of it.
            for line in re.finditer(r"[^\n]+", self.text[:end]):
                names = unknown_subjects(
                    self.text, line.start(), line.end(), self.matcher, indefinite=False
                )
                for name in names:
                    at = self.text.find(name, line.start(), line.end())
                    if at < 0:
                        continue
                    tail = self.text[at + len(name) : at + len(name) + 12]
                    if _LEGAL_TAIL.match(tail) or name.split()[-1].lower() in _LEGAL_SUFFIXES:
                        entity = self.learn_unknown(name)
                        if entity is not None:
                            found.append((at, entity))
            self.head = [e for _, e in sorted(found, key=lambda f: f[0])][:1]
        return self.head[0] if self.head else None

    def main_company(self) -> EntityRef | None:
        """The company the article is about: the most named one, known or not (a press
        release's issuer is often not a known entity); the known one the whole text names most
        on a tie."""
        best = self.main_subject
        best_count = self.counts.get(best, 0) if best is not None else 0
        for entity, n in self.counts.items():
            if _is_research_house(entity):
                continue  # a research note's author writes about others
            if entity.id < 0 and entity.kind in COMPANY_KINDS and n > best_count:
                best, best_count = entity, n
        return best

    def remember_subject(self, entity: EntityRef | None) -> None:
        if entity is None or entity.kind in _REPORTER_KINDS:
            return
        for pool in (self.paragraph_subjects, self.subjects_seen):
            if entity in pool:
                pool.remove(entity)
            pool.append(entity)
        del self.subjects_seen[:-8]

    def last_named(self) -> EntityRef | None:
        """The last company named in this paragraph, else the last entity named in it."""
        company = next((e for e in reversed(self.paragraph) if e.kind in COMPANY_KINDS), None)
        return company or (self.paragraph[-1] if self.paragraph else None)


# Nouns that name any organisation: alone after "the", they describe nothing.
_GENERIC_NOUNS = {
    "company",
    "firm",
    "group",
    "business",
    "concern",
    "corporation",
    "enterprise",
    "companies",
}


# What an organisation the register does not know is, by the noun its name is built on: a
# "Ministry of ..." or a "... Inspectorate" is a government body, a "... Institute" a research
# body, a "... Independence Army" or a "... Party" no company at all; anything else is taken
# for a company. "the company" / "the group" never refers to what is no company.
_GOVERNMENT_NAME = re.compile(
    r"^(?:Ministry|Department|Office|Bureau|Directorate)\s+of\b|\b(?:Ministry|Department|Agency|"
    r"Authority|Commission|Bureau|Council|Committee|Inspectorate|Administration|Government|"
    r"Parliament|Assembly|Regulator|Customs)$"
)
_RESEARCH_NOUN = re.compile(r"\b(?:Institute|University|Survey|Academy|Laboratory|Centre|Center)$")
_NOT_COMPANY_NOUN = re.compile(
    r"\b(?:Army|Forces|Militia|Front|Movement|Party|Union|Federation|Association|Coalition|"
    r"Alliance|Society|Campaign|family)$"
)


def _unknown_kind(name: str) -> str:
    if _GOVERNMENT_NAME.search(name):
        return "government_body"
    if _RESEARCH_NOUN.search(name):
        return "research_body"
    if _NOT_COMPANY_NOUN.search(name):
        return "organisation"
    return "private_company"
