"""The archive in S3-compatible object storage, chosen by settings (REEX_S3_*): a real worker
process archives a page into a real S3 HTTP endpoint on 127.0.0.1 (moto's server, standing in
for MinIO), and the desk reads the body back from the bucket to serve it sandboxed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Evidence
from claims.services.evidence import evidence_attach
from claims.services.reports import article_set_report_published
from sources.models import Snapshot
from tests.factories import ClaimFactory, UserFactory
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BUCKET = "reex-archive-test"
PAGE = (
    "<html><head><title>Output record</title></head><body><article><h1>Output record</h1>"
    "<p>Rare earth metals output jumped 60.4% year on year, the filing shows.</p>"
    "</article></body></html>"
)


@pytest.fixture
def s3(settings):
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="reex",
        aws_secret_access_key="reex-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    env = {
        "REEX_S3_BUCKET": BUCKET,
        "REEX_S3_ENDPOINT_URL": endpoint,
        "REEX_S3_REGION": "us-east-1",
        "REEX_S3_ACCESS_KEY": "reex",
        "REEX_S3_SECRET_KEY": "reex-secret",
    }
    # The test process reads the same bucket (what settings make of the same names).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "reex",
                "secret_key": "reex-secret",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "signature_version": "s3v4",
                "addressing_style": "path",
            },
        },
    }
    yield client, env
    server.stop()


def test_a_worker_archives_into_the_bucket_and_the_report_serves_it(
    s3, make_celery_worker, origin, client
):
    bucket, env = s3
    origin.expect_request("/output").respond_with_data(PAGE, content_type="text/html")
    worker = make_celery_worker(**env)
    reviewer = UserFactory(groups=["reviewer"])
    editor = UserFactory(groups=["editor"])
    claim = ClaimFactory()
    evidence = evidence_attach(
        claim=claim, url=origin.url_for("/output"), stance="supports", excerpt="", actor=reviewer
    )
    wait_for(
        lambda: Snapshot.objects.get(pk=evidence.snapshot_id).status in {"archived", "failed"},
        timeout=40,
        what="archived",
        worker=worker,
    )
    snap = Snapshot.objects.get(pk=evidence.snapshot_id)
    assert snap.status == "archived", snap.error
    keys = {o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert snap.body.name in keys and snap.warc.name in keys
    stored = bucket.get_object(Bucket=BUCKET, Key=snap.body.name)["Body"].read()
    assert stored == PAGE.encode()
    # The desk reads it back from the bucket through the storage API.
    with snap.body.open("rb") as fh:
        assert fh.read() == PAGE.encode()
    ev = Evidence.objects.get(pk=evidence.pk)
    article_set_report_published(article=claim.article, published=True, actor=editor)
    response = client.get(reverse("claims:report-archive", args=[claim.article.key, ev.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content) == PAGE.encode()
