"""WACZ downloads of plain captures and of a claim's or an article's evidence: packaged once
into storage under a name made of what they hold, then streamed from there; two builds at once,
or one left half-written by a build that died, leave one whole package."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pytest_httpserver import HTTPServer

from sources import wacz
from sources.archive import archive_snapshot
from tests.factories import ClaimFactory, EvidenceFactory, SnapshotFactory

PAGE = (
    "<html><head><title>Output up</title></head><body><article><p>"
    + " ".join(["Metals output rose 60.4% year on year, the company said."] * 5)
    + "</p></article></body></html>"
)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REEX_CAPTURE_MODE = "http"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def archived(origin: HTTPServer, media):
    out = []
    for path in ("/a", "/b"):
        origin.expect_request(path).respond_with_data(PAGE, content_type="text/html")
        snapshot = SnapshotFactory(url=origin.url_for(path))
        assert archive_snapshot(snapshot_id=snapshot.pk).status == "archived"
        snapshot.refresh_from_db()
        out.append(snapshot)
    return out


def packages(media: Path) -> list[Path]:
    return sorted((media / "wacz" / "packages").rglob("*.wacz"))


def body(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming, "read from storage as it is sent, not built in memory"
    assert response["Content-Type"] == "application/wacz+zip"
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_plain_captures_wacz_is_packaged_once_and_streamed(client, reviewer, archived, media):
    snapshot = archived[0]
    client.force_login(reviewer)
    first = client.get(f"/archive/{snapshot.pk}/wacz/")
    assert first["Content-Disposition"] == f'attachment; filename="snapshot-{snapshot.pk}.wacz"'
    data = body(first)
    valid, printed = wacz.validate(data)
    assert valid, printed
    [stored] = packages(media)
    assert stored.read_bytes() == data
    built = stored.stat().st_mtime_ns
    assert body(client.get(f"/archive/{snapshot.pk}/wacz/")) == data  # the same file again
    assert packages(media) == [stored] and stored.stat().st_mtime_ns == built


@pytest.mark.django_db
def test_claim_and_article_bundles_are_stored_by_what_they_hold(client, editor, archived, media):
    claim = ClaimFactory()
    for snapshot in archived:
        EvidenceFactory(claim=claim, url=snapshot.url, snapshot=snapshot)
    client.force_login(editor)
    bundle = body(client.get(f"/claims/{claim.pk}/evidence.wacz"))
    assert wacz.validate(bundle)[0]
    pages = zipfile.ZipFile(io.BytesIO(bundle)).read("pages/pages.jsonl").decode()
    assert all(s.url in pages for s in archived)
    article = body(client.get(f"/articles/{claim.article.key}/evidence.wacz"))
    assert wacz.validate(article)[0]
    assert len(packages(media)) == 2  # another title: another package
    body(client.get(f"/claims/{claim.pk}/evidence.wacz"))
    assert len(packages(media)) == 2
    # Other evidence is another package; the first stays as it was.
    claim.evidence.filter(snapshot=archived[1]).delete()
    assert wacz.validate(body(client.get(f"/claims/{claim.pk}/evidence.wacz")))[0]
    assert len(packages(media)) == 3


@pytest.mark.django_db
def test_the_downloads_keep_their_permission_checks(client, archived):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim, url=archived[0].url, snapshot=archived[0])
    for url in (f"/archive/{archived[0].pk}/wacz/", f"/claims/{claim.pk}/evidence.wacz"):
        assert client.get(url).status_code in (302, 403)


@pytest.mark.django_db
def test_two_builds_at_once_leave_one_whole_package(archived, media):
    names: list[str] = []
    errors: list[BaseException] = []

    def build():
        try:
            names.append(wacz.stored_package(archived, title="at once"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(names) == 3
    for name in names:
        with default_storage.open(name, "rb") as fh:
            assert wacz.validate(fh.read())[0]
    assert len(packages(media)) == 1 and len(set(names)) == 1


@pytest.mark.django_db
def test_a_half_written_package_is_never_served(archived, media):
    name = wacz.stored_package(archived, title="half")
    whole = default_storage.open(name, "rb").read()
    default_storage.delete(name)
    default_storage.save(name, ContentFile(whole[: len(whole) // 2]))  # a build still writing

    other = wacz.stored_package(archived, title="half")

    assert other != name and wacz.validate(default_storage.open(other, "rb").read())[0]
    # The same, left by a build that died long ago: replaced under its own name.
    default_storage.delete(other)
    old = (media / name).stat().st_mtime - wacz.ABANDONED_SECONDS - 60
    os.utime(media / name, (old, old))
    assert wacz.stored_package(archived, title="half") == name
    assert wacz.validate(default_storage.open(name, "rb").read())[0]
    assert len(packages(media)) == 1
