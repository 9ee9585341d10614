"""Shared fixtures. Tests run against whatever DATABASE_URL / REDIS_URL name (CI: PostgreSQL
and Redis); with neither set, SQLite and the embedded broker."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.factories import UserFactory

# The local HTTP origin and the real Celery worker process (issue 4).
pytest_plugins = ["tests.worker"]


@pytest.fixture
def editor(db):
    return UserFactory(username="ed", groups=["editor"])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita", groups=["reviewer"])


@pytest.fixture
def reviewer2(db):
    return UserFactory(username="rob", groups=["reviewer"])


@pytest.fixture
def consumer(db):
    return UserFactory(username="partner", groups=["api-consumer"])


@pytest.fixture
def kept_token_checks(settings):
    """Query counts over several API requests, made independent of the clock: with Redis, a
    process keeps its check of a token for REEX_TOKEN_RECHECK_SECONDS (1 s), so on a slow
    machine one request of a test re-reads the token and its neighbour does not. Here the check
    stays kept for the whole test (with Redis) or is never kept (without)."""
    settings.REEX_TOKEN_RECHECK_SECONDS = 600


@pytest.fixture
def seeded(db):
    """The seed article, its claims, entities, ownership and the outlet register."""
    call_command("load_seeds", verbosity=0)


@pytest.fixture
def token_client(db):
    """`token_client(user)`: a DRF APIClient sending a fresh knox token of `user` (None:
    anonymous). The API's own authentication path, no force_authenticate."""
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _, key = AuthToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
