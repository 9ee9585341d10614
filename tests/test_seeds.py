"""`load_seeds`: idempotent, offsets exact, bad files refused with the record named, nothing
half-loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from claims.models import Article, Claim
from claims.seeding import SEED_DIR
from ownership.models import Domain, Entity, Ownership

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Entity.objects.count(),
        Domain.objects.count(),
        Ownership.objects.count(),
        Article.objects.count(),
        Claim.objects.count(),
    )


def test_seeds_load_twice_without_duplicates():
    call_command("load_seeds", verbosity=0)
    first = counts()
    call_command("load_seeds", verbosity=0)
    assert counts() == first
    assert first[4] >= 25
    assert Entity.objects.filter(domains__isnull=False).distinct().count() >= 40


def test_every_seed_claim_matches_its_article_text(seeded):
    for claim in Claim.objects.select_related("article"):
        assert claim.article.text[claim.span_start : claim.span_end] == claim.text, claim.key


def test_seed_article_names_its_publisher(seeded):
    article = Article.objects.get()
    assert article.outlet is not None
    assert article.title.startswith("Northern Rare Earth Delivers Record First-Half Surge")


def test_loading_again_keeps_review_state(seeded, editor):
    from claims.services.status import claim_set_status

    claim = Claim.objects.first()
    claim_set_status(
        claim=claim, status="unverifiable", actor=editor, rationale="r", version=1, override=True
    )
    call_command("load_seeds", verbosity=0)
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("unverifiable", 2)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEED_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def shift_offsets(data):
    data["claims"][3]["start"] += 1


def unknown_origin(data):
    data["claims"][0]["origin"] = "no-such-entity"


def duplicate_domain(data):
    first = next(e for e in data["entities"] if e.get("domains"))
    data["entities"][-1].setdefault("domains", []).append(first["domains"][0])


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("claims.yaml", shift_offsets, "do not match its text"),
        ("claims.yaml", unknown_origin, "unknown entity 'no-such-entity'"),
        ("outlets.yaml", duplicate_domain, "duplicate domain"),
    ],
)
def test_bad_seed_files_are_refused_naming_the_record_and_nothing_is_loaded(
    seed_copy, file, change, message
):
    edit(seed_copy / file, change)
    before = counts()
    with pytest.raises(CommandError) as exc:
        call_command("load_seeds", "--dir", str(seed_copy), verbosity=0)
    assert message in str(exc.value)
    assert file in str(exc.value)
    assert counts() == before == (0, 0, 0, 0, 0)


def test_a_bad_record_after_good_ones_leaves_the_database_as_it_was(seeded, seed_copy):
    before = counts()
    names = dict(Entity.objects.values_list("slug", "name"))

    def rename_all_then_break(data):
        for e in data["entities"]:
            e["name"] = e["name"] + " (renamed)"
        data["entities"][-1]["kind"] = "not-a-kind"

    edit(seed_copy / "outlets.yaml", rename_all_then_break)
    with pytest.raises(CommandError, match="kind 'not-a-kind'"):
        call_command("load_seeds", "--dir", str(seed_copy), "--update", verbosity=0)
    assert counts() == before
    assert dict(Entity.objects.values_list("slug", "name")) == names


def test_an_editors_corrections_survive_the_next_load_unless_update(seeded):
    edge = Ownership.objects.get(owner__slug="baogang-group", owned__slug="northern-rare-earth")
    Ownership.objects.filter(pk=edge.pk).update(controlling=False, basis="Editor: checked.")
    Entity.objects.filter(slug="xinhua").update(name="Xinhua (edited)")
    claim = Claim.objects.get(key="nre-h1-net-profit-growth")
    Claim.objects.filter(pk=claim.pk).update(restatement="Edited restatement.")
    moved = Domain.objects.get(domain="news.cn")
    Domain.objects.filter(pk=moved.pk).update(entity=Entity.objects.get(slug="prc"))

    call_command("load_seeds", verbosity=0)
    edge.refresh_from_db()
    assert (edge.controlling, edge.basis) == (False, "Editor: checked.")
    assert Entity.objects.get(slug="xinhua").name == "Xinhua (edited)"
    assert Claim.objects.get(pk=claim.pk).restatement == "Edited restatement."
    assert Domain.objects.get(domain="news.cn").entity.slug == "prc"

    Domain.objects.filter(pk=moved.pk).update(entity=Entity.objects.get(slug="xinhua"))
    call_command("load_seeds", "--update", verbosity=0)
    edge.refresh_from_db()
    assert edge.controlling is True
    assert Entity.objects.get(slug="xinhua").name != "Xinhua (edited)"
    assert Claim.objects.get(pk=claim.pk).restatement != "Edited restatement."


def test_unreadable_seed_files_are_refused_with_a_message(seed_copy, tmp_path):
    (seed_copy / "claims.yaml").write_bytes(b"claims:\n  - key: \xff\xfe\n")
    with pytest.raises(CommandError, match=r"claims\.yaml: not UTF-8"):
        call_command("load_seeds", "--dir", str(seed_copy), verbosity=0)
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    with pytest.raises(CommandError, match="not a folder"):
        call_command("load_seeds", "--dir", str(not_a_folder), verbosity=0)
    assert counts() == (0, 0, 0, 0, 0)


def test_malformed_owners_are_refused_naming_the_entity(seed_copy):
    def break_owners(data):
        data["entities"][0]["owners"] = ["prc"]

    edit(seed_copy / "entities.yaml", break_owners)
    with pytest.raises(CommandError, match="owners must be a list of mappings"):
        call_command("load_seeds", "--dir", str(seed_copy), verbosity=0)
