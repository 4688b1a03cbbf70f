"""The media library page in a real browser at 1440 x 900: a manager uploads an image and a
video through the form, the grid shows their previews (served under the strict CSP) and fits
without sideways scrolling."""

import pytest

from publishing.models import MediaAsset
from tests.publishing.media_samples import image_bytes, video_bytes
from tests.settings_app.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_uploads_media_and_sees_their_previews(
    page, live_server, admin_login, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    photo, clip = tmp_path / "photo.jpg", tmp_path / "reel.mp4"
    photo.write_bytes(image_bytes(1080, 1350))
    clip.write_bytes(video_bytes(tmp_path, seconds=1))
    manager = UserFactory(username="manager", is_staff=True, roles=["Manager"])
    page.set_viewport_size({"width": 1440, "height": 900})
    admin_login(page, live_server, manager)

    page.goto(f"{live_server.url}/admin/publishing/mediaasset/library/")
    page.set_input_files("#media-upload input[type=file]", [str(photo), str(clip)])
    page.click("#media-upload input[type=submit]")
    page.wait_for_selector(".co-card img")

    assert MediaAsset.objects.count() == 2
    assert page.locator(".co-card").count() == 2
    assert "photo.jpg: added (image)." in page.locator(".messagelist").inner_text().lower()
    loaded = page.evaluate(
        "Array.from(document.querySelectorAll('.co-card img'))"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    assert loaded
    assert "1080×1350" in page.content() and "Video · 1.0 s" in page.content()
    screenshot(page, "media-library")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
