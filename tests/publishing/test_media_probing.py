"""Uploading to the media library: real images and videos are probed (Pillow, ffprobe), files
that are neither are refused with the reason, size caps hold, and the same bytes are one asset."""

import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from publishing.choices import MediaKind
from publishing.models import MediaAsset
from publishing.services import probing
from publishing.services.media import MediaTooLarge, media_asset_create, media_asset_delete
from publishing.services.probing import FfprobeMissing, ProbeError
from tests.publishing.media_samples import image_bytes, upload, video_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_jpeg_becomes_an_image_asset_with_its_size_and_dimensions(staff):
    data = image_bytes(108, 135)

    asset, created = media_asset_create(file=upload(data, "photo.JPG"), user=staff)

    asset.refresh_from_db()
    assert created
    assert (asset.kind, asset.mime, asset.width, asset.height) == ("image", "image/jpeg", 108, 135)
    assert asset.size == len(data) and asset.duration_s is None
    assert asset.created_by == staff
    assert asset.file.name == f"publishing/{asset.checksum[:2]}/{asset.checksum}.jpg"
    assert default_storage.open(asset.file.name).read() == data
    assert asset.thumbnail.name  # the library's small preview


def test_a_png_is_an_image_whatever_its_name_says(staff):
    asset, _ = media_asset_create(
        file=upload(image_bytes(64, 64, fmt="PNG"), "cover.mp4"), user=staff
    )

    assert (asset.kind, asset.mime) == ("image", "image/png")
    assert asset.file.name.endswith(".png")


def test_an_mp4_becomes_a_video_asset_with_its_duration_and_codec(staff, tmp_path):
    data = video_bytes(tmp_path, seconds=1.5, width=108, height=192)

    asset, created = media_asset_create(file=upload(data, "reel.mp4"), user=staff)

    assert created
    assert (asset.kind, asset.mime, asset.codec) == ("video", "video/mp4", "h264")
    assert (asset.width, asset.height) == (108, 192)
    assert asset.duration_s == pytest.approx(1.5, abs=0.1)
    assert asset.file.name.endswith(".mp4")
    assert asset.thumbnail.name.endswith(".jpg")  # the poster frame


def test_the_same_bytes_uploaded_twice_are_one_asset_and_one_file(staff, media_root):
    data = image_bytes(100, 100)

    first, created_first = media_asset_create(file=upload(data, "a.jpg"), user=staff)
    files = stored_files(media_root)
    again, created_again = media_asset_create(file=upload(data, "b-renamed.jpg"), user=staff)

    assert created_first and not created_again
    assert again.pk == first.pk
    assert MediaAsset.objects.count() == 1
    assert stored_files(media_root) == files  # no second file


def test_a_file_that_is_neither_image_nor_video_is_refused_with_the_reason(staff, media_root):
    with pytest.raises(ProbeError) as error:
        media_asset_create(file=upload(b"just some text, not media\n" * 10, "a.mp4"), user=staff)

    assert error.value.code == "media_unreadable"
    assert "neither an image nor a video" in error.value.message
    assert MediaAsset.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_truncated_video_is_refused(staff, tmp_path):
    data = video_bytes(tmp_path, seconds=1)

    with pytest.raises(ProbeError):
        media_asset_create(file=upload(data[: len(data) // 3], "cut.mp4"), user=staff)

    assert MediaAsset.objects.count() == 0


def test_a_sound_file_is_refused_as_it_has_no_video(staff, tmp_path):
    import subprocess

    sound = tmp_path / "tone.m4a"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", str(sound)], check=True
    )

    with pytest.raises(ProbeError) as error:
        media_asset_create(file=upload(sound.read_bytes(), "tone.m4a"), user=staff)

    assert "no video stream" in error.value.message


def test_an_image_over_the_image_cap_is_refused_but_a_video_of_that_size_is_not(
    staff, settings, tmp_path
):
    video = video_bytes(tmp_path, seconds=1)
    image = image_bytes(300, 300)
    settings.MEDIA_MAX_IMAGE_BYTES = min(len(image), len(video)) - 1
    settings.MEDIA_MAX_VIDEO_BYTES = 10 * 1024 * 1024

    with pytest.raises(MediaTooLarge) as error:
        media_asset_create(file=upload(image, "big.jpg"), user=staff)
    asset, _ = media_asset_create(file=upload(video, "ok.mp4"), user=staff)

    assert "image" in error.value.message and "file" in error.value.fields
    assert asset.kind == MediaKind.VIDEO


def test_a_file_over_every_cap_is_refused_before_it_is_read(staff, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = settings.MEDIA_MAX_VIDEO_BYTES = 1000

    with pytest.raises(MediaTooLarge) as error:
        media_asset_create(file=upload(b"x" * 5000, "huge.mp4"), user=staff)

    assert error.value.code == "media_too_large" and "file" in error.value.fields
    assert MediaAsset.objects.count() == 0


def test_without_ffprobe_a_video_is_refused_naming_the_debian_package_and_images_still_work(
    staff, monkeypatch, tmp_path
):
    monkeypatch.setattr(probing, "ffprobe_path", lambda: None)

    with pytest.raises(FfprobeMissing) as error:
        media_asset_create(file=upload(video_bytes(tmp_path), "reel.mp4"), user=staff)
    image, _ = media_asset_create(file=upload(image_bytes(), "photo.jpg"), user=staff)

    assert "apt-get install ffmpeg" in error.value.message
    assert image.kind == MediaKind.IMAGE


def test_a_portrait_phone_photo_has_its_shown_width_and_height(staff):
    import io

    from PIL import Image

    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated a quarter turn when shown
    Image.new("RGB", (200, 100), "red").save(out, "JPEG", exif=exif)

    asset, _ = media_asset_create(file=upload(out.getvalue(), "phone.jpg"), user=staff)

    assert (asset.width, asset.height) == (100, 200)


def test_deleting_an_unused_asset_removes_its_file_and_preview(
    staff, media_root, django_capture_on_commit_callbacks
):
    asset, _ = media_asset_create(file=upload(image_bytes(), "photo.jpg"), user=staff)
    assert len(stored_files(media_root)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        media_asset_delete(asset)

    assert not MediaAsset.objects.exists()
    assert stored_files(media_root) == []


def test_no_temporary_file_is_left_behind(staff, tmp_path, monkeypatch):
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setenv("TMPDIR", str(spool))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(spool))

    media_asset_create(file=upload(image_bytes(), "photo.jpg"), user=staff)
    with pytest.raises(ProbeError):
        media_asset_create(file=upload(b"not media", "x.bin"), user=staff)

    assert os.listdir(spool) == []
