"""The media library on S3-compatible storage (a fake S3 on 127.0.0.1 speaking the protocol to
boto3): multipart uploads land in the bucket, presigned direct uploads are confirmed, probed
and deduplicated, unconfirmed ones are cleaned up, and platforms pull presigned GET URLs."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from rest_framework.test import APIClient

from operations.jobs import cleanup_media_uploads
from operations.models import JobRun
from publishing.models import MediaAsset, MediaUpload
from publishing.services.platforms import media_public_url
from publishing.services.steps import MediaRef
from tests.publishing.media_samples import image_bytes, upload, video_bytes
from tests.publishing.s3_fake import BUCKET, FakeS3

pytestmark = pytest.mark.django_db

URL = "/api/v1/media/"


@pytest.fixture
def s3(settings, monkeypatch):
    fake = FakeS3().start()
    # boto3 reads no credentials or region from this machine's environment or files.
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "access_key": "test-access",
                "secret_key": "test-secret",
                "endpoint_url": fake.url,
                "region_name": "us-east-1",
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
                "signature_version": "s3v4",
            },
        },
    }
    settings.MEDIA_PUBLIC_BASE_URL = ""
    yield fake
    fake.stop()


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def presign(client, **body):
    answer = client.post(f"{URL}presign/", body or {"filename": "reel.mp4"}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def put(ticket, data: bytes):
    return requests.put(ticket["url"], data=data, headers=ticket["headers"], timeout=5)


def test_a_multipart_upload_is_stored_in_the_bucket_under_its_checksum(s3, staff):
    data = image_bytes(120, 150)

    answer = client_for(staff).post(URL, {"file": upload(data, "a.jpg")}, format="multipart")

    assert answer.status_code == 201, answer.json()
    asset = MediaAsset.objects.get()
    assert asset.file.name in s3.names()
    assert s3.objects[asset.file.name].data == data
    assert asset.thumbnail.name in s3.names()


def test_a_direct_upload_is_presigned_put_confirmed_probed_and_becomes_an_asset(
    s3, staff, tmp_path
):
    client = client_for(staff)
    data = video_bytes(tmp_path, seconds=1)

    ticket = presign(client, filename="reel.mp4", content_type="video/mp4")
    uploaded = put(ticket, data)
    confirmed = client.post(URL, {"upload_id": ticket["upload_id"]}, format="json")
    again = client.post(URL, {"upload_id": ticket["upload_id"]}, format="json")

    assert ticket["method"] == "PUT" and ticket["headers"] == {"Content-Type": "video/mp4"}
    assert ticket["url"].startswith(f"{s3.url}/{BUCKET}/publishing/uploads/")
    assert uploaded.status_code == 200
    assert confirmed.status_code == 201, confirmed.json()
    assert (confirmed.json()["kind"], confirmed.json()["codec"]) == ("video", "h264")
    assert again.status_code == 200 and again.json()["id"] == confirmed.json()["id"]
    asset = MediaAsset.objects.get()
    upload_row = MediaUpload.objects.get()
    assert upload_row.confirmed_at is not None and upload_row.asset == asset
    assert upload_row.key not in s3.names()  # the uploaded object was moved to its asset name
    assert s3.objects[asset.file.name].data == data


def test_a_direct_upload_of_bytes_already_in_the_library_answers_that_asset(s3, staff):
    client = client_for(staff)
    data = image_bytes(100, 100)
    first = client.post(URL, {"file": upload(data, "a.jpg")}, format="multipart").json()
    objects = s3.names()

    ticket = presign(client, filename="same.jpg")
    put(ticket, data)
    confirmed = client.post(URL, {"upload_id": ticket["upload_id"]}, format="json")

    assert confirmed.status_code == 200 and confirmed.json()["id"] == first["id"]
    assert MediaAsset.objects.count() == 1
    assert s3.names() == objects  # no second file, and the upload object is gone


def test_confirming_before_the_put_or_a_non_media_file_is_refused_with_the_reason(s3, staff):
    client = client_for(staff)
    ticket = presign(client)

    early = client.post(URL, {"upload_id": ticket["upload_id"]}, format="json")
    put(ticket, b"this is not a video")
    unreadable = client.post(URL, {"upload_id": ticket["upload_id"]}, format="json")

    assert early.status_code == 400 and early.json()["error"]["code"] == "upload_missing"
    assert unreadable.status_code == 400
    assert unreadable.json()["error"]["code"] == "media_unreadable"
    assert not MediaAsset.objects.exists()


def test_another_users_upload_id_is_unknown(s3, staff, role_user):
    ticket = presign(client_for(staff))
    put(ticket, image_bytes())

    answer = client_for(role_user("Editor")).post(
        URL, {"upload_id": ticket["upload_id"]}, format="json"
    )

    assert answer.status_code == 400 and answer.json()["error"]["code"] == "upload_unknown"
    assert not MediaAsset.objects.exists()


def test_the_presigned_put_url_expires(s3, staff, settings):
    settings.MEDIA_UPLOAD_EXPIRY_SECONDS = 1
    ticket = presign(client_for(staff))
    MediaUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    import time

    time.sleep(2.1)
    late = put(ticket, image_bytes())
    confirmed = client_for(staff).post(URL, {"upload_id": ticket["upload_id"]}, format="json")

    assert late.status_code == 403
    assert confirmed.status_code == 400 and confirmed.json()["error"]["code"] == "upload_expired"


def test_the_cleanup_job_removes_expired_unconfirmed_uploads_and_their_objects(s3, staff):
    client = client_for(staff)
    stale, fresh, done = presign(client), presign(client), presign(client)
    for ticket, data in ((stale, b"half a video"), (fresh, b"uploading"), (done, image_bytes())):
        put(ticket, data)
    client.post(URL, {"upload_id": done["upload_id"]}, format="json")
    MediaUpload.objects.filter(upload_id=stale["upload_id"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    stale_key = MediaUpload.objects.get(upload_id=stale["upload_id"]).key

    run_id = cleanup_media_uploads()
    cleanup_media_uploads()  # a rerun finds nothing more

    remaining = set(MediaUpload.objects.values_list("upload_id", flat=True))
    assert {str(u) for u in remaining} == {fresh["upload_id"], done["upload_id"]}
    assert stale_key not in s3.names()
    assert MediaUpload.objects.get(upload_id=fresh["upload_id"]).key in s3.names()
    run = JobRun.objects.get(pk=run_id)
    assert (run.items_ok, run.items_failed) == (1, 0)


def test_platforms_pull_s3_media_from_a_presigned_get_url_valid_24_hours(s3, staff):
    data = image_bytes(80, 100)
    client_for(staff).post(URL, {"file": upload(data, "a.jpg")}, format="multipart")
    asset = MediaAsset.objects.get()

    url = media_public_url(MediaRef(name=asset.file.name, kind="image", mime="image/jpeg", size=1))

    assert "X-Amz-Expires=86400" in url
    assert requests.get(url, timeout=5).content == data


def test_a_public_base_url_wins_over_presigned_urls(s3, settings):
    settings.MEDIA_PUBLIC_BASE_URL = "https://cdn.example.com/media/"

    url = media_public_url(MediaRef(name="publishing/ab/abc.jpg", kind="image", mime="", size=1))

    assert url == "https://cdn.example.com/media/publishing/ab/abc.jpg"
