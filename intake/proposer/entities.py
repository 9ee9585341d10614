"""Known entities as the proposer sees them (`EntityRef`: an id, a name, a kind and every
alias) and the matcher that finds their names in a text (`EntityMatcher`: whole words, longest
name first; a legal suffix or a common noun is never matched alone)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from intake.proposer.trade import DEMONYMS

COMPANY_KINDS = {"soe", "private_company"}
# What follows a company's name when it is written in full: "Co., Ltd.", "Limited", "Inc.".
_LEGAL_TAIL = re.compile(
    r"[\s.,]*(?:Co\.?,?\s*)?(?:Ltd|Limited|Inc|Corp|plc|AG|SA|S\.A\.|N\.V\.)(?!\w)"
)
# Kinds that are where or by whom something is reported rather than what it is about.
_REPORTER_KINDS = {"media_outlet", "data_provider"}
_LEGAL_SUFFIXES = {
    "ltd",
    "inc",
    "co",
    "corp",
    "plc",
    "llc",
    "limited",
    "pty",
    "pty ltd",
    "co., ltd",
    "sa",
    "ag",
    "nv",
    "bv",
    "gmbh",
    "jsc",
    "pjsc",
    "llp",
    "oyj",
    "group",
    "company",
    "corporation",
    "holdings",
    # the same in other jurisdictions: "PT Arunika Sumber Daya Tbk", "Nordhavn Capital ApS",
    # "Mineração Cerrado Ltda", "Malaysian Rare Earth Sdn Bhd", "Nunarsuit Minerals A/S"
    "tbk",
    "bhd",
    "berhad",
    "sdn",
    "aps",
    "a/s",
    "asa",
    "ab",
    "ltda",
    "spa",
    "srl",
    "kk",
}
# Legal forms written before the name: "PT Wallacea Mineral Recovery", "JSC Kazatomprom",
# "TOO Steppe Metals", "OOO Ural Magnets" (in capitals only).
_LEGAL_PREFIXES = {"PT", "CV", "JSC", "PJSC", "OJSC", "OAO", "ZAO", "OOO", "AO", "TOO", "LLP"}


@dataclass(frozen=True)
class EntityRef:
    """A known entity as the proposer sees it: an id, a name, a kind and every alias."""

    id: int
    name: str
    kind: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Name and aliases, less any that is only a legal suffix ("Ltd.", "Inc"): those
        would match every company."""
        return [
            n
            for n in dict.fromkeys([self.name, *self.aliases])
            if n and len(n.strip()) >= 2 and n.strip().lower().rstrip(".") not in _LEGAL_SUFFIXES
        ]


# Common nouns an entity may have as its short name ("Commission"): never matched alone.
_GENERIC_NOUNS = {
    "commission",
    "ministry",
    "department",
    "bank",
    "fund",
    "agency",
    "authority",
    "council",
    "exchange",
    "government",
    "state",
    "province",
    "company",
    "group",
    "board",
    "bureau",
    "office",
    "institute",
    "centre",
    "center",
    "trust",
    "regulator",
    "parliament",
    "court",
}


# A long official name is matched whatever the case of its words after the first: "Yunnan
# provincial State-owned Assets Supervision and Administration Commission" is the register's
# "Yunnan Provincial State-owned ...". Shorter names stay case-sensitive ("US" is not "us").
_CASE_FREE_WORDS = 4


def _fold(name: str) -> str:
    first, *rest = name.split(" ")
    return " ".join([first, *(w[:1].lower() + w[1:] for w in rest)])


def _pattern(name: str) -> str:
    if len(name.split()) < _CASE_FREE_WORDS:
        return re.escape(name)
    first, *rest = name.split(" ")
    parts = [re.escape(first)]
    for word in rest:
        head = word[:1]
        cased = f"[{head.upper()}{head.lower()}]" if head.isalpha() else re.escape(head)
        parts.append(cased + re.escape(word[1:]))
    return r"\ ".join(parts)


def _possessive_forms(entity: EntityRef, states: dict[str, EntityRef]) -> list[str]:
    """A state body's name as a text writes it with the state first: "Ministry of Commerce of
    the People's Republic of China" is also "China's Ministry of Commerce". `states` maps each
    state's name and aliases to the state (built once per matcher)."""
    if entity.kind != "government_body":
        return []
    for m in re.finditer(r"\s+of\s+(?:the\s+)?", entity.name):
        state = states.get(entity.name[m.end() :])
        if state is not None and m.start() > 0:
            body = entity.name[: m.start()]
            return [
                f"{alias}{apostrophe}s {body}"
                for alias in (state.name, *state.aliases)
                if re.fullmatch(r"[A-Z][\w.'’ -]{1,30}", alias)
                for apostrophe in ("'", "’")
            ]
    return []


def _state_forms(entity: EntityRef) -> list[str]:
    """A state as a text names its government: "the Australian government", "Indonesian
    authorities" (its adjective, when the register knows the country under the name the
    adjective is of); and an alias ending in a common noun with that noun in lower case
    ("Australian government" for the register's "Australian Government")."""
    if entity.kind != "state":
        return []
    names = (entity.name, *entity.aliases)
    out = [
        f"{adjective} {noun}"
        for adjective, country in DEMONYMS.items()
        if country in names
        for noun in ("government", "Government", "authorities", "administration")
    ]
    for alias in names:
        head, _, last = alias.rpartition(" ")
        if head and last[:1].isupper() and last.lower() in _GENERIC_NOUNS:
            out.append(f"{head} {last.lower()}")
    return [o for o in out if o not in names]


@dataclass
class Mention:
    entity: EntityRef
    start: int
    end: int


class EntityMatcher:
    """Finds known names in text: longest name first, whole words, case-sensitive (so "US" the
    state is not "us" the pronoun), except that all-lower-case aliases match any case."""

    def __init__(self, entities: Iterable[EntityRef], *, in_compounds: bool = True) -> None:
        """`in_compounds=False`: no match right after a hyphen ("Steppe", a short name the
        text gave "Steppe Capital Research", is not in "Tau-Steppe"); the register's names
        keep matching there ("China" in "U.S.-China")."""
        self.entities = list(entities)
        pairs: list[tuple[str, EntityRef]] = []
        states: dict[str, EntityRef] = {}
        for e in self.entities:
            if e.kind == "state":
                for name in (e.name, *e.aliases):
                    states.setdefault(name, e)
        for entity in self.entities:
            for name in [*entity.names, *_possessive_forms(entity, states), *_state_forms(entity)]:
                if " " not in name.strip() and name.strip().lower() in _GENERIC_NOUNS:
                    # "Commission" for the European Commission: a common noun as a name
                    # matches only as "the Commission" (`_named_by_head_noun`).
                    continue
                pairs.append((name, entity))
        pairs.sort(key=lambda p: -len(p[0]))
        self._by_name = {}
        self._by_fold: dict[str, EntityRef] = {}
        for name, entity in pairs:
            self._by_name.setdefault(name, entity)
            if len(name.split()) >= _CASE_FREE_WORDS:
                self._by_fold.setdefault(_fold(name), entity)
        if pairs:
            alternation = "|".join(_pattern(name) for name in self._by_name)
            before = r"(?<![\w])" if in_compounds else r"(?<![\w-])"
            self._pattern = re.compile(rf"{before}(?:{alternation})(?![\w])")
        else:
            self._pattern = None

    def mentions(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        if self._pattern is None:
            return []
        end = len(text) if end is None else end
        found = []
        for match in self._pattern.finditer(text, start, end):
            name = match.group(0)
            entity = self._by_name.get(name) or self._by_fold[_fold(name)]
            found.append(Mention(entity, match.start(), match.end()))
        return found

    def match_name(self, phrase: str) -> EntityRef | None:
        found = self.mentions(phrase)
        return found[0].entity if found else None
