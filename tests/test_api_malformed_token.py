"""A malformed Authorization header is a 401 on every DRF view (the schema and docs too),
never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/", "/api/v1/claims/"])
def test_a_non_utf8_token_is_refused_not_a_crash(client, path):
    response = client.get(path, HTTP_AUTHORIZATION="Token \xff\xfe")
    assert response.status_code == 401
