"""The claim proposer: candidate claims from an article's text, by transparent rules over a
sentence splitter. Pure Python (no Django, no model, no network); the steps are told in
intake.proposer.propose, which runs them. One concern per module, each importing only modules
listed above it:

- entities: `EntityRef`, `Mention`, `EntityMatcher` (known names in a text);
- wording: stems, `wording_similarity`, `fingerprint`;
- sentences: `sentences` (syntok plus the domain's abbreviation rules);
- rows: which lines are a table's rows, and the unit a caption gives its cells;
- text: `reflow` (hard-wrapped paragraphs joined), `lines`, bullets, furniture, datelines,
  headings;
- verbs: `_has_verb`, events, past tenses;
- kinds: `classify` (figure, event, plan, ownership);
- opinion: `rejection` (opinion, rhetoric, hedges, prescriptions, boilerplate);
- names: organisations the register does not know, short names, referring phrases;
- attribution: the phrases that say who said a statement;
- context: `_Context`, what the proposer knows while it reads one text;
- learning: `_learn_names`, what a sentence teaches it (unknown organisations, their short
  names and tickers, the Company a release defines);
- clauses: `Segment`, `_split` (a sentence into its clauses), `_trim`, named deals;
- origins: whom an attribution names (people, the organisations they speak for, ministries,
  customs);
- trade: a country's trade, imports and demonyms;
- mentions: the names of a clause that can be its subject (`_subject_mentions`);
- subjects: what a clause is about (`_subjects`);
- score: `MIN_SCORE`, `_score`;
- proposal: `Proposal`;
- tables: a table's rows as proposals;
- evaluate: a clause read as a `Proposal` (`_evaluate`);
- dedupe: repeats dropped (`_dedupe`);
- matching: `ClaimRef`, `match_claim` (a proposal to an existing claim);
- propose: `propose`, the entry point.
"""
