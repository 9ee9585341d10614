"""Bad input to ingest (issue 27): a binary file, an empty file, a 50 MB text, through the
`ingest` command and the admin's "Add article from URL" form: a message that says what is
wrong and what to do next, and nothing stored (no article, proposal, snapshot or file)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pytest_httpserver import HTTPServer

from claims.models import Article
from intake.models import ClaimProposal
from sources.models import Snapshot

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4000)
ZIP = b"PK\x03\x04\x14\x00\x06\x00" + os.urandom(4000)  # a .docx is a zip
FIFTY_MB = 50 * 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def nothing_stored(media: Path) -> bool:
    return (
        not Article.objects.exists()
        and not ClaimProposal.objects.exists()
        and not Snapshot.objects.exists()
        and not any(p.is_file() for p in media.rglob("*"))
    )


def refused(source: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command("ingest", source, stdout=io.StringIO())
    return str(info.value)


@pytest.fixture
def big_text(tmp_path) -> Path:
    path = tmp_path / "archive-dump.txt"
    line = b"Lynas said output rose 35% to 1,200 tonnes in the June quarter.\n"
    with path.open("wb") as f:
        f.write(line * (FIFTY_MB // len(line) + 1))
    return path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "body", "said"),
    [
        ("photo.txt", PNG, "photo.txt is not text: it holds binary data"),
        ("story.html", ZIP, "story.html is not text: it holds binary data"),
        ("report.pdf", ZIP, "report.pdf is not a PDF"),
    ],
)
def test_a_binary_file_is_refused_by_the_command(tmp_path, media, name, body, said):
    (tmp_path / name).write_bytes(body)
    message = refused(str(tmp_path / name))
    assert said in message and "ingest" in message and "Nothing was stored" in message
    assert nothing_stored(media)


@pytest.mark.django_db
def test_an_empty_file_is_refused_by_the_command(tmp_path, media):
    (tmp_path / "empty.txt").write_bytes(b"")
    message = refused(str(tmp_path / "empty.txt"))
    assert "empty.txt is empty (0 bytes)" in message and "ingest it again" in message
    assert nothing_stored(media)


@pytest.mark.django_db
def test_a_50_mb_text_is_refused_by_the_command_before_it_is_read(big_text, media):
    message = refused(str(big_text))
    assert "archive-dump.txt is 50 MB, larger than the 15 MB" in message
    assert "Save the article alone as a file and ingest that" in message
    assert nothing_stored(media)


@pytest.mark.django_db
def test_the_admin_form_refuses_a_binary_an_empty_and_a_50_mb_answer(
    client, editor, origin: HTTPServer, media, big_text
):
    origin.expect_request("/binary.txt").respond_with_data(PNG, content_type="text/plain")
    origin.expect_request("/empty.txt").respond_with_data(b"", content_type="text/plain")
    origin.expect_request("/dump.txt").respond_with_data(
        big_text.read_bytes(), content_type="text/plain"
    )
    client.force_login(editor)
    form = reverse("admin:claims_article_ingest")

    answers = {
        path: client.post(form, {"url": origin.url_for(path)})
        for path in ("/binary.txt", "/empty.txt", "/dump.txt")
    }

    said = {path: r.content.decode() for path, r in answers.items()}
    assert all(r.status_code == 200 for r in answers.values())  # the form again, with why
    assert "is not text: it holds binary data" in said["/binary.txt"]
    assert "No text could be extracted" in said["/empty.txt"]
    assert "Open it to check" in said["/empty.txt"]
    assert "is too large to be an article" in said["/dump.txt"]
    assert "Check the address points at one article" in said["/dump.txt"]
    assert all("Nothing was stored" in html for html in said.values())
    assert nothing_stored(media)
