"""/healthz: database and broker reachability, for probes that come by IP over plain http."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "broker": {"ok": True}},
    }
    assert "no-cache" in response["Cache-Control"]


def test_unavailable_when_the_broker_is_down_and_says_no_more(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": {"ok": True}, "broker": {"ok": False}}
    assert "127.0.0.1" not in response.content.decode()  # no internals for anonymous callers


def test_probes_by_ip_over_http_work_with_production_host_and_https_settings(client, settings):
    settings.ALLOWED_HOSTS = ["desk.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="172.18.0.5:8000")
    assert response.status_code == 200
    # Everything else still gets the host check and the https redirect.
    assert client.get("/", HTTP_HOST="172.18.0.5:8000").status_code == 400
    assert client.get("/", HTTP_HOST="desk.example.org").status_code == 301
