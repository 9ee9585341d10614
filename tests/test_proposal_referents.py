"""Who a clause is about and who said it (intake.proposer, issue 27 items 4 and 7): general
rules of reference, each on a text written for these tests (names are made up)."""

from __future__ import annotations

from intake.proposer.entities import EntityRef
from intake.proposer.propose import propose

CHINA, KORIN, BALTIC = 1, 2, 3
ENTITIES = [
    EntityRef(CHINA, "People's Republic of China", "state", ("China",)),
    EntityRef(KORIN, "Korin Minerals", "private_company", ("Korin",)),
    EntityRef(BALTIC, "Baltic Magnet Works", "private_company", ("Baltic",)),
]


def find(found, fragment):
    hits = [p for p in found if fragment in p.text]
    assert hits, f"nothing proposed holds {fragment!r}: {[p.text for p in found]}"
    return hits[0]


def test_who_said_it_is_the_origin_not_the_subject_when_what_it_said_is_about_others():
    text = (
        "China exported 20,400 tonnes of magnets in the first half, customs data showed.\n\n"
        "Tarrant Metals Research expects full-year exports of about 41,000 tonnes from China.\n\n"
        "Tarrant Metals Research said it had hired 12 analysts in Singapore.\n\n"
        "Korin said revenue rose 14% to $88 million."
    )
    found = propose(text, entities=ENTITIES)
    forecast = find(found, "full-year exports")
    assert forecast.subjects == [CHINA]
    assert forecast.named_subjects == []  # the forecaster said it; it is not about the forecaster
    assert "Tarrant Metals Research" in forecast.origin_phrase
    # What the sayer says of itself is about the sayer.
    hired = find(found, "hired 12 analysts")
    assert hired.named_subjects == ["Tarrant Metals Research"]
    assert find(found, "revenue rose 14%").subjects == [KORIN]


def test_an_organisation_the_text_introduces_is_a_named_subject_whatever_its_name_ends_in():
    text = (
        "Tokyo-based Velto Shoji holds 9.5% of Korin.\n\n"
        "Marrow Tsusho, the Japanese trading house, signed a deal to buy 800 tonnes of "
        "oxide a year.\n\n"
        "Korin will expand its plant in Tartu, Estonia, the company said on Monday, adding "
        "210 jobs.\n\n"
        "Ilse Brandt, the miner's chief executive, said it had shipped 400 tonnes in May."
    )
    found = propose(text, entities=ENTITIES)
    stake = find(found, "holds 9.5%")
    assert "Velto Shoji" in stake.named_subjects and KORIN in stake.subjects
    assert find(found, "signed a deal").named_subjects == ["Marrow Tsusho"]
    every = {n for p in found for n in p.named_subjects}
    assert "Estonia" not in every  # a place before ", the company said"
    assert "Ilse Brandt" not in every  # a person: "the miner's chief executive"


def test_a_stake_is_about_its_holder_and_the_company_it_is_held_in():
    text = (
        "Korin Minerals shipped 2,100 tonnes of concentrate in May. Brenner Capital Partners "
        "owns 19.9% of the company. Its largest shareholder, Halvard Industrial Fund, holds "
        "22.4% of its common stock.\n\n"
        "Baltic Magnet Works is controlled by Korin, which owns about 44% of its shares."
    )
    found = propose(text, entities=ENTITIES)
    brenner = find(found, "owns 19.9%")
    assert brenner.named_subjects == ["Brenner Capital Partners"] and brenner.subjects == [KORIN]
    halvard = find(found, "holds 22.4%")
    assert halvard.named_subjects == ["Halvard Industrial Fund"] and halvard.subjects == [KORIN]
    # Holder and held both named: "its" adds no third party.
    assert set(find(found, "controlled by Korin").subjects) == {BALTIC, KORIN}


def test_a_definite_description_refers_to_the_body_it_names():
    ministry = EntityRef(10, "Ministry of Ore Affairs", "government_body")
    veloria = EntityRef(11, "Republic of Veloria", "state", ("Veloria",))
    province = EntityRef(12, "Tarn Provincial Government", "government_body", ("Tarn Province",))
    entities = [*ENTITIES, ministry, veloria, province]
    bulletin = (
        "Ore Bulletin, second quarter\n\n"
        "The Ministry intends to introduce an export levy of 5% from 1 January 2027.\n\n"
        "REPUBLIC OF VELORIA · MINISTRY OF ORE AFFAIRS · ORE BULLETIN"
    )
    levy = find(propose(bulletin, entities=entities), "export levy")
    assert levy.subjects == [ministry.id]  # named in capitals in its footer only
    story = (
        "Veloria signed a lithium partnership with Korin on Monday.\n\n"
        "Deputy minister Ana Ruiz said the government expects royalties of $40 million a "
        "year.\n\n"
        "Tarn Province holds 51% of Korin. That makes the province the controlling "
        "shareholder of the company."
    )
    found = propose(story, entities=entities)
    assert find(found, "royalties").subjects == [veloria.id]
    assert set(find(found, "the controlling shareholder").subjects) == {province.id, KORIN}


def test_who_said_it_resolves_to_the_organisation_that_speaks():
    customs = EntityRef(20, "General Administration of Customs of Veloria", "government_body")
    veloria = EntityRef(21, "Republic of Veloria", "state", ("Veloria",))
    mines = EntityRef(22, "Veloria Ministry of Mines", "government_body", ("Ministry of Mines",))
    other = EntityRef(23, "Ostrian Ministry of Mines", "government_body")
    entities = [*ENTITIES, customs, veloria, mines, other]
    text = (
        "Veloria's magnet exports rose 4% to 9,100 tonnes in May, customs data showed.\n\n"
        "Korin Minerals said it shipped 2,400 tonnes of concentrate from Veloria in June.\n\n"
        '"We are not in a hurry," managing director Ilse Brandt told reporters. She added '
        "that the plant aims to source 40% of its oxide from Veloria by 2030.\n\n"
        '"Our lenders have committed 60% of the cost," Brandt said.\n\n'
        "The miner put the capital cost of the first stage at $486 million.\n\n"
        "Mines Minister Ana Ruiz said royalties would reach $40 million a year by 2028."
    )
    found = propose(text, entities=entities)
    assert find(found, "magnet exports rose").origin_id == customs.id
    assert find(found, "source 40%").origin_phrase.endswith("(Korin Minerals)")
    assert find(found, "committed 60%").origin_id == KORIN
    assert find(found, "capital cost").origin_id == KORIN
    assert find(found, "royalties").origin_id == mines.id  # the country's, not Ostria's


def test_what_a_release_says_of_its_issuer_is_its_own_voice():
    text = (
        'Kestrel Ionic Clays Limited ("Kestrel" or "the Company") is pleased to announce a '
        "binding offtake with Korin for 1,200 tonnes a year.\n\n"
        "The Ore Reserve stands at 212 million tonnes, the Company said. It expects first "
        "production from the project in 2029.\n\n"
        "Korin expects to buy a further 300 tonnes a year from 2030."
    )
    found = propose(text, entities=ENTITIES)
    assert find(found, "Ore Reserve").origin_kind == "own_voice"
    assert find(found, "first production").origin_kind == "own_voice"
    assert find(found, "first production").named_subjects == ["Kestrel Ionic Clays Limited"]
    korin = find(found, "a further 300 tonnes")
    assert korin.origin_kind == "attributed" and korin.origin_id == KORIN


def test_a_state_or_body_used_as_a_modifier_or_a_reference_is_no_subject():
    veloria = EntityRef(30, "Republic of Veloria", "state", ("Veloria",))
    union = EntityRef(31, "European Union", "state", ("EU",))
    commission = EntityRef(32, "European Commission", "government_body", ("EC", "Commission"))
    trade = EntityRef(33, "Veloria Ministry of Trade", "government_body", ("Ministry of Trade",))
    finance = EntityRef(34, "Veloria Ministry of Finance", "government_body")
    entities = [*ENTITIES, veloria, union, commission, trade, finance]
    text = (
        "Veloria's state miner Korin signed a supply agreement for 800 tonnes a year.\n\n"
        "On 12 November the European Commission selected the project as a Strategic Project "
        "under Regulation (EU) 2024/1252.\n\n"
        "The Veloria Ministry of Finance cut the export tax to 5%. The Ministry of Trade "
        "approved the investment policy for the project in August.\n\n"
        "Baltic, the state consolidator of magnet making, lifted output by 18% to 4,260 tonnes."
    )
    found = propose(text, entities=entities)
    assert find(found, "supply agreement").subjects == [KORIN]
    assert find(found, "Strategic Project").subjects == [commission.id]
    assert find(found, "investment policy").subjects == [trade.id]
    assert find(found, "lifted output").subjects == [BALTIC]


def test_the_group_is_the_company_the_document_names_at_its_head():
    # A report's excerpt: a section heading, then the issuer by its legal name; its
    # subsidiaries named later (one of them wholly owned, named more often) are not "the Group".
    text = (
        "Section II Review of Operations\n"
        "Tarn Valley Rare Earth Group Co., Ltd. (Stock code: 600111) · 2025 Annual Report\n\n"
        "In 2025 the Group achieved operating revenue of 8.2 billion yuan, up 11.0%.\n\n"
        "Tarn Valley Magnetics Co., Ltd. 100% Sintered magnets 12,000\n"
        "Tarn Valley Magnetics (Ruoshui) Co., Ltd. 100% Sintered magnets 6,000\n\n"
        "The Group plans to raise magnet capacity to 30,000 tonnes a year by 2028."
    )
    found = propose(text, entities=ENTITIES)
    for fragment in ("operating revenue of 8.2 billion", "raise magnet capacity"):
        proposal = find(found, fragment)
        assert proposal.named_subjects == ["Tarn Valley Rare Earth Group Co"], fragment


def test_a_short_name_the_text_gave_does_not_match_inside_a_hyphenated_name():
    from intake.proposer.entities import EntityMatcher

    learnt = EntityRef(-1, "Steppe Capital Research LLP", "private_company", ("Steppe",))
    unknown = EntityMatcher([learnt], in_compounds=False)
    assert unknown.mentions("Tau-Steppe put the capital cost at US$640-720 million.") == []
    assert [m.entity for m in unknown.mentions("Steppe said the cost was high.")] == [learnt]
    # The register's names still match in a compound: "China" in "U.S.-China".
    known = EntityMatcher(ENTITIES)
    assert [m.entity.id for m in known.mentions("U.S.-China trade talks")] == [CHINA]


def test_a_sayer_named_with_its_legal_suffix_is_named_whole():
    text = (
        "Korin said revenue rose 14% to $88 million.\n\n"
        "Qiandong Germanium Industry Co., Ltd. said it had applied for licences covering 12 "
        "tonnes of germanium."
    )
    applied = find(propose(text, entities=ENTITIES), "applied for licences")
    assert applied.origin_kind == "attributed"
    assert applied.origin_phrase.startswith("Qiandong Germanium Industry Co., Ltd.")


def test_a_place_whose_figures_a_relative_clause_states_is_the_subject():
    text = (
        "Korin opened a sales office in China in May.\n\n"
        "The setback comes as buyers hunt for supply outside China, whose magnet exports "
        "fell 3.2% to 26,480 tonnes in August."
    )
    found = propose(text, entities=ENTITIES)
    assert find(found, "magnet exports fell").subjects == [CHINA]
    assert find(found, "sales office").subjects == [KORIN]  # "in China" stays a place


def test_a_source_a_listing_venue_or_a_delivery_basis_named_in_a_clause_is_no_subject():
    """Names in a clause that say where a figure comes from, where shares trade or where a
    price is delivered are not what the clause is about (the source is its origin)."""
    association = EntityRef(40, "Veloria Rare Earth Association", "research_body")
    exchange = EntityRef(41, "Veloria Stock Exchange", "private_company", ("VSX",))
    reporter = EntityRef(42, "Metalprice Daily", "data_provider")
    japan = EntityRef(43, "Japan", "state")
    entities = [*ENTITIES, association, exchange, reporter, japan]
    text = (
        "Imported feedstock, the Veloria Rare Earth Association estimates, supplied about 38% "
        "of the country's separation output.\n\n"
        "Korin, whose shares trade on the Veloria Stock Exchange, holds 72.5% of Baltic.\n\n"
        "Metalprice Daily assessed terbium oxide, CIF Japan, at $1,210 a kilogram on Friday."
    )
    found = propose(text, entities=entities)
    feedstock = find(found, "supplied about 38%")
    assert association.id not in feedstock.subjects
    assert feedstock.origin_id == association.id
    assert find(found, "holds 72.5%").subjects == [KORIN, BALTIC]
    price = find(found, "terbium oxide")
    assert price.subjects == []  # a market price: nobody's, and not Japan's
    assert price.origin_id == reporter.id


def test_a_person_introduced_with_a_title_and_employer_speaks_for_it_later():
    text = (
        '"We drilled 38 holes this year," said Johan Paakkonen, Chief Executive Officer of '
        "Korin.\n\n"
        "Paakkonen said first production was expected in 2030.\n\n"
        "Baltic managing director Festus Amukwaya welcomed the deal. He said Baltic would "
        "raise its holding to 25% after first production.\n\n"
        '"Our stocks last six weeks," said Zhou Peng, purchasing manager at the company.\n\n'
        "The plant shipped 2,300 tonnes in 2025, Zhou said."
    )
    found = propose(text, entities=ENTITIES)
    assert find(found, "first production was expected").origin_id == KORIN
    assert find(found, "raise its holding").origin_id == BALTIC
    # "the company" a speaker works at is the company the text refers to
    assert find(found, "2,300 tonnes").origin_id == BALTIC


def test_an_unknown_organisation_is_a_company_only_when_its_name_reads_like_one():
    from intake.proposer.context import _unknown_kind

    assert _unknown_kind("Kachin Independence Army") == "organisation"
    assert _unknown_kind("Ministry of Climate and Enterprise") == "government_body"
    assert _unknown_kind("Swedish Mining Inspectorate") == "government_body"
    assert _unknown_kind("Sanwa Metals Research Institute") == "research_body"
    assert _unknown_kind("Halvorsen Commodities") == "private_company"


def test_the_department_said_is_the_department_named_lately():
    dae = EntityRef(30, "Department of Atomic Energy", "government_body", ("DAE",))
    india = EntityRef(31, "Republic of India", "state", ("India",))
    text = (
        "India's Department of Atomic Energy has ordered Korin to keep at least 70% of its "
        "oxide for domestic buyers, two officials at the department said.\n\n"
        "Each shipment of more than 20 tonnes will need a licence from April, the department said."
    )
    found = propose(text, entities=[*ENTITIES, dae, india])
    assert find(found, "keep at least 70%").origin_id == dae.id
    assert find(found, "need a licence").origin_id == dae.id


def test_a_country_inside_a_local_unit_s_legal_name_keeps_the_name_whole():
    india = EntityRef(31, "Republic of India", "state", ("India",))
    text = (
        "Kisaragi Rare Earths India Pvt Ltd, a subsidiary that Korin set up in 2024, will take "
        "delivery of 450 tonnes a year at Gopalpur port."
    )
    found = propose(text, entities=[*ENTITIES, india])
    assert "Kisaragi Rare Earths India Pvt Ltd" in find(found, "450 tonnes").named_subjects


def test_the_party_a_clause_gives_to_and_an_unnamed_trader_are_its_subjects():
    nrcan = EntityRef(40, "Natural Resources Canada", "government_body", ("NRCan",))
    text = (
        "Norvale Magnetics Recovery Corp. runs a magnet recycling plant in Cobourg.\n\n"
        "Natural Resources Canada awarded the company a C$18.5 million contribution under "
        "its Critical Minerals Innovation Fund. Ontario has separately committed C$6 million "
        "through the Critical Minerals Innovation Fund.\n\n"
        "A smaller aggregator in Quebec supplied about 35% of third-quarter feed."
    )
    found = propose(text, entities=[*ENTITIES, nrcan])
    award = find(found, "C$18.5 million")
    assert award.subjects == [nrcan.id]
    assert award.named_subjects == ["Norvale Magnetics Recovery Corp"]  # no programme
    assert find(found, "C$6 million").named_subjects == []
    assert find(found, "35% of third-quarter").named_subjects == ["A smaller aggregator in Quebec"]


def test_rows_of_a_company_s_accounts_are_about_the_company_the_document_covers():
    text = (
        "Norvale Magnetics Recovery Corp. (TSXV: NMR) · Initiation of coverage\n\n"
        "Norvale Magnetics Recovery Corp. recycles magnet swarf in Ontario. On our estimates "
        "the shares trade at 9.7 times 2028 EV/EBITDA.\n\n"
        "Forecasts, C$ million 2025A 2026E 2027E\n"
        "Revenue 31.4 52.8 88.6\n"
        "EBITDA -6.2 3.9 17.5\n"
        "Net income -11.8 -2.6 7.1\n"
        "Free cash flow -20.4 -8.1 3.3\n"
    )
    found = propose(text, entities=ENTITIES)
    for row in ("EBITDA -6.2", "Net income -11.8", "Free cash flow -20.4"):
        assert find(found, row).named_subjects == ["Norvale Magnetics Recovery Corp"], row


def test_a_family_named_as_a_holder_is_a_named_subject_and_its_members_are_people():
    text = (
        "Caprock Industrial Holdings is a Houston-based holding company. The founding "
        "Whitcomb family holds about 40% of Caprock.\n\n"
        '"We shipped 1,050 tonnes of magnets," said Dana Whitcomb, chief executive of Korin.\n\n'
        "Whitcomb said Korin paid 20% more for non-Chinese metal in 2025."
    )
    found = propose(text, entities=ENTITIES)
    stake = find(found, "holds about 40%")
    assert set(stake.named_subjects) == {"Whitcomb family", "Caprock Industrial Holdings"}
    # Whitcomb alone is the person who speaks for Korin, not the family
    assert find(found, "paid 20% more").origin_id == KORIN


def test_a_deal_s_terms_naming_nobody_are_about_the_parties_of_the_deal_before():
    text = (
        "Korin has signed a binding five-year offtake agreement with Baltic for 1,500 tonnes "
        "a year of mixed rare earth carbonate.\n\n"
        "Pricing is linked to the Asian Metal NdPr oxide price, with a floor of US$68 per "
        "kilogram.\n\n"
        "NdPr oxide traded at US$82 per kilogram in Shanghai in November."
    )
    found = propose(text, entities=ENTITIES)
    assert set(find(found, "floor of US$68").subjects) == {KORIN, BALTIC}
    assert find(found, "traded at US$82").subjects == []  # a price naming nobody


def test_who_puts_a_figure_on_something_or_revises_an_estimate_is_its_origin():
    usgs = EntityRef(
        50, "United States Geological Survey", "government_body", ("USGS", "U.S. Geological Survey")
    )
    ministry = EntityRef(51, "Ministry of Industry and Construction", "government_body")
    text = (
        "In September the Ministry of Industry and Construction put Sarybulak's resource at "
        "27.4 million tonnes.\n\n"
        "Korin put capital spending for the first phase at 800 million to 950 million yuan.\n\n"
        "The U.S. Geological Survey cut its estimate of Veloria's reserves to 3.5 million "
        "tonnes in 2025."
    )
    found = propose(text, entities=[*ENTITIES, usgs, ministry])
    assert find(found, "27.4 million tonnes").origin_id == ministry.id
    assert find(found, "800 million to 950 million").origin_id == KORIN
    assert find(found, "3.5 million").origin_id == usgs.id
    release = (
        'Kestrel Ionic Clays Limited ("Kestrel" or "the Company") is pleased to report its '
        "study.\n\nThe Pre-Feasibility Study put the capital cost at A$310 million."
    )
    own = find(propose(release, entities=ENTITIES), "A$310 million")
    assert own.origin_kind == "own_voice"  # the issuer's own study


def test_a_nordic_public_company_s_mark_does_not_hide_its_defined_short_name():
    text = (
        "Tornefjall Minerals signs offtake with Korin\n\n"
        'Tornefjall Minerals AB (publ) ("Tornefjall" or "the Company") has signed a binding '
        "offtake agreement with Korin.\n\n"
        "At 30 September 2026 the Company held cash of SEK 64.8 million."
    )
    found = propose(text, entities=ENTITIES, title="Tornefjall Minerals signs offtake with Korin")
    cash = find(found, "SEK 64.8 million")
    assert cash.subjects == [] and cash.named_subjects == ["Tornefjall Minerals AB"]


def test_a_supplier_s_share_of_a_buyer_s_imports_is_the_supplier_s_trade():
    japan = EntityRef(60, "Japan", "state")
    text = "China supplied 61.8% of Japan's imports by volume, down from 66.0% a year earlier."
    found = propose(text, entities=[*ENTITIES, japan])
    assert find(found, "61.8%").subjects == [CHINA]


def test_a_buyer_ranked_among_destinations_is_the_exporter_s_trade():
    germany = EntityRef(61, "Federal Republic of Germany", "state", ("Germany",))
    text = (
        "China's exports of permanent magnets fell 3.2% to 26,480 tonnes in the first half, "
        "China's customs agency said.\n\n"
        "Shipments to the United States rose 4%. Germany remained the largest single "
        "destination."
    )
    found = propose(text, entities=[*ENTITIES, germany])
    assert find(found, "largest single destination").subjects == [CHINA]


def test_whose_list_a_thing_is_on_is_not_what_the_clause_is_about():
    eu = EntityRef(62, "European Union", "state", ("EU",))
    veloria = EntityRef(63, "Republic of Veloria", "state", ("Veloria",))
    text = "Veloria produced 21 tonnes of gallium, one of the metals on the EU's critical list, in 2025."
    found = propose(text, entities=[*ENTITIES, eu, veloria])
    assert find(found, "21 tonnes").subjects == [veloria.id]


def test_added_with_an_object_is_something_done_not_something_said():
    mofcom = EntityRef(64, "Ministry of Commerce", "government_body", ("MOFCOM",))
    text = (
        "The Ministry of Commerce added seven medium and heavy rare earths to its "
        "export-control list in April.\n\n"
        "Korin said revenue rose 14% to $88 million. Sales to Japan will double, Korin added."
    )
    found = propose(text, entities=[*ENTITIES, mofcom])
    assert find(found, "added seven").origin_kind == "own_voice"
    assert find(found, "will double").origin_id == KORIN


def test_review_cases_the_rules_of_2026_12_08_must_leave_alone():
    commerce = EntityRef(70, "Department of Commerce", "government_body")
    energy = EntityRef(71, "Department of Energy", "government_body")
    australia = EntityRef(72, "Commonwealth of Australia", "state", ("Australia",))
    entities = [*ENTITIES, commerce, energy, australia]

    def one(text, fragment):
        return find(propose(text, entities=entities), fragment)

    # "the Department of Energy" is found by its own name, not as the department named before
    assert (
        one(
            "The Department of Commerce added 12 Chinese firms to its entity list on Monday.\n\n"
            "Korin will get a US$258 million loan for the Texas plant, officials at the "
            "Department of Energy said.",
            "US$258 million",
        ).origin_id
        == energy.id
    )
    # "added 12 ...": something done, whatever the number's digits
    assert (
        one("The Department of Commerce added 12 Chinese firms to its entity list.", "added 12")
    ).origin_kind == "own_voice"
    # a commodity price after a deal is nobody's
    price = one(
        "Korin and Baltic signed a ten-year offtake for 1,000 tonnes.\n\n"
        "Prices of NdPr oxide rose 4% this week to US$68 a kilogram.",
        "rose 4%",
    )
    assert price.subjects == []
    # a market for something else is no destination of the text's exports
    market = one(
        "Australia exported 18,000 tonnes of concentrate in 2025, Australia's customs said.\n\n"
        "China is the largest market for electric vehicles, with 11 million sold last year.",
        "11 million",
    )
    assert market.subjects == [CHINA]
    # a person named Will is no plan; a commodity's "validation" is no verdict
    assert one("NdPr prices rose 12% in March, said Will Adams of Benchmark.", "12%").kind != "plan"
    assert (
        one(
            "The validation drilling programme returned 12 metres at 2.1% TREO in 2025.",
            "12 metres",
        ).kind
        == "figure"
    )


def test_a_title_with_no_employer_in_a_news_story_speaks_for_the_company_named_lately():
    # The headline names Korin first; the story is about Tamri Terres Rares, whose chief
    # executive speaks. In a release that defines its Company, the same title is the issuer's.
    text = (
        "Korin opens its gypsum stacks to Tamri Terres Rares\n\n"
        "Korin has granted Tamri Terres Rares SA the right to recover rare earths at Safi.\n\n"
        "The plant, which Tamri expects to cost $310 million, is designed to treat 1.5 million "
        "tonnes a year.\n\n"
        "Construction is scheduled to begin in 2027, chief executive Youssef Alami said.\n"
    )
    said = find(propose(text, entities=ENTITIES), "Construction is scheduled")
    assert "Tamri Terres Rares SA" in said.origin_phrase
    release = (
        'Tamri Terres Rares SA ("Tamri" or "the Company") reports its results.\n\n'
        "Korin will supply 900 tonnes of metal a year under the agreement.\n\n"
        "Revenue rose 31% to $287 million, chief executive Anna Nowak said.\n"
    )
    assert find(propose(release, entities=ENTITIES), "Revenue rose").origin_kind == "own_voice"


def test_a_known_issuer_defines_the_company_as_an_unknown_one_does():
    text = (
        'Baltic Magnet Works Ltd ("Baltic" or "the Company") reports its results.\n\n'
        "Korin will supply 900 tonnes of metal a year under the agreement.\n\n"
        "Revenue rose 31% to $287 million, chief executive Anna Nowak said.\n"
    )
    revenue = find(propose(text, entities=ENTITIES), "Revenue rose")
    # the issuer's own officer speaks in the release's own voice
    assert revenue.origin_kind == "own_voice" and revenue.subjects == [BALTIC]
