"""Bodies the server cannot take (issue 15): nested too deeply, too large, not UTF-8, bad
page sizes. The API answers 4xx in JSON with a message; the desk's attach form comes back with
the message by the field; nothing is stored."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.test import Client
from django.urls import reverse

from claims.api.exceptions import api_exception_handler
from claims.models import EXCERPT_MAX_LENGTH, Claim, Evidence
from plumbing.parsers import MAX_JSON_DEPTH
from tests.factories import ClaimFactory, EntityFactory

THREE_MB = 3 * 1024 * 1024


@pytest.fixture
def claim(db) -> Claim:
    return ClaimFactory()


def _post_raw(client, path: str, body: bytes | str, content_type="application/json"):
    return client.generic("POST", path, body, content_type=content_type)


# --------------------------------------------------------------------------- API: parsing


@pytest.mark.parametrize("action", ["decision", "evidence"])
def test_a_thousand_nested_brackets_are_a_json_400(token_client, reviewer, claim, action):
    response = _post_raw(
        token_client(reviewer), f"/api/v1/claims/{claim.pk}/{action}/", "[" * 1000 + "]" * 1000
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "parse_error"
    assert f"more than {MAX_JSON_DEPTH} levels deep" in body["detail"]


def test_nesting_under_the_recursion_limit_is_refused_too(token_client, reviewer, claim):
    """Depth 500 parses without RecursionError; it is still no input of this API."""
    body = '{"status": ' + "[" * 500 + "]" * 500 + ', "version": 1}'
    response = _post_raw(token_client(reviewer), f"/api/v1/claims/{claim.pk}/decision/", body)
    assert response.status_code == 400
    assert "levels deep" in response.json()["detail"]


def test_a_body_that_is_not_utf8_is_a_json_400(token_client, reviewer, claim):
    response = _post_raw(
        token_client(reviewer),
        f"/api/v1/claims/{claim.pk}/evidence/",
        b'{"url": "https://a.example/\xff", "stance": "supports"}',
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["detail"]


def test_invalid_json_says_what_to_send(token_client, reviewer, claim):
    response = _post_raw(token_client(reviewer), f"/api/v1/claims/{claim.pk}/decision/", "{oops")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    nan = _post_raw(
        token_client(reviewer),
        f"/api/v1/claims/{claim.pk}/decision/",
        '{"status": "disputed", "rationale": "x", "version": NaN}',
    )
    assert nan.status_code == 400


# --------------------------------------------------------------------------- API: size


def test_a_3_mb_excerpt_is_a_json_413_and_nothing_is_stored(token_client, reviewer, claim):
    body = '{"url": "https://a.example/x", "stance": "supports", "excerpt": "%s"}' % (
        "x" * THREE_MB
    )
    response = _post_raw(token_client(reviewer), f"/api/v1/claims/{claim.pk}/evidence/", body)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert "2,621,440 bytes" in response.json()["detail"]
    assert not Evidence.objects.exists()


def test_an_oversized_form_body_through_a_desk_session_is_json(client, reviewer, claim):
    """The API takes JSON only: a form body (here 3 MB, from a signed-in desk session, whose
    CSRF check reads the form) is refused before anything reads it."""
    client.force_login(reviewer)
    response = _post_raw(
        client,
        f"/api/v1/claims/{claim.pk}/evidence/",
        urlencode({"url": "https://a.example/", "stance": "supports", "excerpt": "x" * THREE_MB}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"
    assert "Content-Type: application/json" in response.json()["detail"]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("exc", "status"),
    [(RequestDataTooBig(), 413), (TooManyFieldsSent(), 400), (TooManyFilesSent(), 400)],
)
def test_djangos_body_limits_map_to_json(exc, status):
    """Django's own limits, should a parser or an authentication class read a form body."""
    response = api_exception_handler(exc, {})
    assert response.status_code == status
    assert response.data["detail"]


def test_a_form_body_with_a_token_is_a_json_415(token_client, reviewer, claim):
    response = _post_raw(
        token_client(reviewer),
        f"/api/v1/claims/{claim.pk}/evidence/",
        "url=https://a.example/&stance=supports",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_the_excerpt_limit_is_the_same_in_the_api_and_the_service(token_client, reviewer, claim):
    url = f"/api/v1/claims/{claim.pk}/evidence/"
    client = token_client(reviewer)
    long = {"url": "https://a.example/1", "stance": "supports", "excerpt": "x" * 5001}
    refused = client.post(url, long, format="json")
    assert refused.status_code == 400
    assert "excerpt" in refused.json()["errors"]
    fits = {**long, "excerpt": "x" * EXCERPT_MAX_LENGTH}
    assert client.post(url, fits, format="json").status_code == 201


# --------------------------------------------------------------------------- API: pages


@pytest.mark.parametrize(
    "query",
    [
        "page_size=null",
        "page_size=null&page_size=null",
        "page_size=0",
        "page_size=-1",
        "page_size=1.5",
        "page_size=1&page_size=1",
        "page_size=",
        "page_size=100000",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/entities/", "/api/v1/claims/", "/api/v1/claims/sync/"])
def test_a_bad_page_size_is_a_400_on_every_list(token_client, consumer, path, query):
    response = token_client(consumer).get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    assert "page_size" in response.json()["errors"]


def test_a_good_page_size_is_used_and_kept_once_in_next(token_client, consumer):
    EntityFactory.create_batch(3)
    body = token_client(consumer).get("/api/v1/entities/?page_size=2").json()
    assert len(body["results"]) == 2
    assert body["next"].count("page_size=2") == 1


@pytest.mark.parametrize("query", ["page=0", "page=x", "page=1&page=2", "page=last"])
def test_a_bad_page_number_is_a_400(token_client, consumer, query):
    response = token_client(consumer).get(f"/api/v1/entities/?{query}")
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


@pytest.mark.parametrize(
    "query",
    ["article=0", "origin=0", "status=", "updated_since=", "article=1&article=2", "q=" + "x" * 201],
)
@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/claims/sync/"])
def test_bad_filters_are_a_400_by_field(token_client, consumer, path, query):
    response = token_client(consumer).get(f"{path}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["errors"]


def test_the_schema_states_the_rules(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    def params(path: str) -> dict:
        return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}

    for path in ("/api/v1/claims/", "/api/v1/claims/sync/"):
        assert params(path)["article"]["minimum"] == 1
        assert params(path)["origin"]["minimum"] == 1
        assert params(path)["page_size"]["minimum"] == 1
        assert params(path)["q"]["maxLength"] == 200
    assert params("/api/v1/entities/")["page_size"]["maximum"] == 200
    assert params("/api/v1/entities/")["domain"]["maxLength"] == 253
    assert params("/api/v1/claims/sync/")["page_size"]["maximum"] == 1000
    decision = schema["components"]["schemas"]["DecisionInput"]
    assert "rationale" in decision["required"]
    evidence = schema["components"]["schemas"]["EvidenceInput"]
    assert evidence["properties"]["excerpt"]["maxLength"] == EXCERPT_MAX_LENGTH


# --------------------------------------------------------------------------- the desk


def _attach_form(client: Client, claim: Claim) -> tuple[str, str]:
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    form = page[page.index('id="attach-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    return reverse("claims:attach", args=[claim.pk]), token


@pytest.mark.parametrize("htmx", [False, True])
def test_a_3_mb_excerpt_on_the_desk_shows_the_form_again_by_the_field(reviewer, claim, htmx):
    client = Client(enforce_csrf_checks=True)  # the real CSRF check reads the cut form
    client.force_login(reviewer)
    url, token = _attach_form(client, claim)
    body = urlencode(
        [
            ("csrfmiddlewaretoken", token),
            ("url", "https://www.reuters.com/markets/nre-h1"),
            ("stance", "refutes"),
            ("excerpt", "y" * THREE_MB),
        ]
    )
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        url, body, content_type="application/x-www-form-urlencoded", headers=headers
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert ("<html" in page) is not htmx
    excerpt = page[page.index('name="excerpt"') - 600 :]
    assert "Too long: the form came to" in excerpt
    assert f"this field takes at most {EXCERPT_MAX_LENGTH:,} characters" in page
    assert "Nothing was saved" in page
    assert 'value="https://www.reuters.com/markets/nre-h1"' in page  # what was typed is kept
    assert 'value="refutes" selected' in page
    assert len(page) < 100_000  # the excerpt comes back cut to what the field takes
    assert not Evidence.objects.exists()


def test_an_oversized_post_elsewhere_on_the_desk_gets_a_page_that_says_so(client, reviewer, claim):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        urlencode({"status": "unverifiable", "rationale": "r" * THREE_MB, "version": 1}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "That was too much to send at once" in page
    assert "Nothing was saved" in page
    claim.refresh_from_db()
    assert claim.version == 1


def test_an_excerpt_over_the_limit_but_under_the_body_size_is_a_field_error(
    client, reviewer, claim
):
    client.force_login(reviewer)
    response = client.post(
        reverse("claims:attach", args=[claim.pk]),
        {"url": "https://www.reuters.com/a", "stance": "supports", "excerpt": "z" * 5001},
    )
    assert response.status_code == 400
    assert f"at most {EXCERPT_MAX_LENGTH}" in response.content.decode()
    assert f'maxlength="{EXCERPT_MAX_LENGTH}"' in response.content.decode()
    assert not Evidence.objects.exists()
