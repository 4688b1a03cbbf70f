"""Uploading to the media library through the API: multipart files are probed and stored once,
bad files get a clear error, and direct uploads need S3 storage."""

import pytest
from rest_framework.test import APIClient

from publishing.models import MediaAsset
from tests.publishing.media_samples import image_bytes, upload, video_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/media/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_multipart_upload_answers_the_probed_asset_and_the_same_bytes_answer_it_again(staff):
    client = client_for(staff)
    data = image_bytes(120, 150)

    first = client.post(URL, {"file": upload(data, "photo.jpg")}, format="multipart")
    again = client.post(URL, {"file": upload(data, "copy.jpg")}, format="multipart")

    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["kind"], body["mime"], body["width"], body["height"]) == (
        "image",
        "image/jpeg",
        120,
        150,
    )
    assert body["size"] == len(data)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert MediaAsset.objects.count() == 1


def test_a_video_upload_answers_its_duration_codec_and_frame_rate(staff, tmp_path):
    data = video_bytes(tmp_path, seconds=1, fps=25)

    answer = client_for(staff).post(URL, {"file": upload(data, "reel.mp4")}, format="multipart")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "video" and body["codec"] == "h264" and body["frame_rate"] == 25
    assert body["duration_s"] == pytest.approx(1.0, abs=0.1)


def test_a_file_that_is_not_media_is_refused_with_the_reason(staff):
    answer = client_for(staff).post(
        URL, {"file": upload(b"%PDF-1.4 not a picture", "doc.pdf")}, format="multipart"
    )

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (
        error["code"] == "media_unreadable" and "neither an image nor a video" in error["message"]
    )
    assert not MediaAsset.objects.exists()


def test_a_file_over_the_cap_is_refused_with_the_limit(staff, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = settings.MEDIA_MAX_VIDEO_BYTES = 100

    answer = client_for(staff).post(
        URL, {"file": upload(image_bytes(), "photo.jpg")}, format="multipart"
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "media_too_large"
    assert "100" in answer.json()["error"]["message"]


def test_a_request_without_a_file_is_refused_by_field(staff):
    answer = client_for(staff).post(URL, {}, format="multipart")

    assert answer.status_code == 400
    assert "file" in answer.json()["error"]["fields"]


def test_editors_upload_and_analysts_may_not(role_user):
    editor, analyst = role_user("Editor"), role_user("Analyst")

    uploaded = client_for(editor).post(
        URL, {"file": upload(image_bytes(), "a.jpg")}, format="multipart"
    )
    refused = client_for(analyst).post(
        URL, {"file": upload(image_bytes(color="red"), "b.jpg")}, format="multipart"
    )

    assert uploaded.status_code == 201
    assert refused.status_code == 403
    assert client_for(editor).get(URL).json()["results"][0]["id"] == uploaded.json()["id"]


def test_presign_without_s3_storage_is_a_clear_400(staff):
    answer = client_for(staff).post(
        f"{URL}presign/", {"filename": "big.mp4", "content_type": "video/mp4"}, format="json"
    )

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "direct_upload_unavailable"
    assert "Direct uploads need S3 storage" in error["message"]


def test_confirming_an_upload_without_s3_storage_is_a_clear_400(staff):
    answer = client_for(staff).post(
        URL, {"upload_id": "2f1b5c1e-6f55-4a55-9a59-0e0d6c1d7f00"}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "direct_upload_unavailable"
