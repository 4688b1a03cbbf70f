"""The media library page of the admin: upload by form, the grid with previews and usage, and
deleting unused media."""

import pytest
from django.urls import reverse

from config.admin_menu import MENU
from publishing.models import MediaAsset
from tests.publishing.factories import MediaAssetFactory, ScheduledPostFactory
from tests.publishing.media_samples import image_bytes, upload, video_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def library():
    return reverse("admin:publishing_media_library")


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_uploading_by_form_adds_each_file_and_reports_duplicates_and_bad_files(
    client, staff, library, tmp_path
):
    client.force_login(staff)
    photo = image_bytes(200, 250)

    answer = client.post(
        library,
        {
            "files": [
                upload(photo, "photo.jpg"),
                upload(video_bytes(tmp_path), "reel.mp4"),
                upload(photo, "photo-again.jpg"),
                upload(b"hello", "notes.txt"),
            ]
        },
        follow=True,
    )

    assert answer.status_code == 200
    said = shown_messages(answer)
    assert "photo.jpg: added (Image)." in said
    assert "reel.mp4: added (Video)." in said
    assert "photo-again.jpg: already in the library (the same file)." in said
    assert any(m.startswith("notes.txt: It is neither an image nor a video") for m in said)
    assert MediaAsset.objects.count() == 2
    page = answer.content.decode()
    assert page.count('class="co-card"') == 2
    assert "200×250" in page and "Unused" in page


def test_the_grid_shows_usage_and_offers_delete_only_for_unused_media(client, staff, library):
    client.force_login(staff)
    used, unused = MediaAssetFactory(), MediaAssetFactory()
    ScheduledPostFactory().media_items.create(asset=used, position=0)

    page = client.get(library).content.decode()

    assert "Used by 1 post" in page
    assert f'name="delete" value="{unused.pk}"' in page
    assert f'name="delete" value="{used.pk}"' not in page


def test_deleting_unused_media_removes_it_and_used_media_is_kept_with_the_reason(
    client, staff, library
):
    client.force_login(staff)
    used, unused = MediaAssetFactory(), MediaAssetFactory()
    ScheduledPostFactory().media_items.create(asset=used, position=0)

    deleted = client.post(library, {"delete": unused.pk}, follow=True)
    kept = client.post(library, {"delete": used.pk}, follow=True)

    assert list(MediaAsset.objects.values_list("pk", flat=True)) == [used.pk]
    assert any("deleted" in m for m in shown_messages(deleted))
    assert any("used by a scheduled post" in m for m in shown_messages(kept))


def test_previews_are_served_to_who_may_see_the_asset(client, staff, role_user, library):
    client.force_login(staff)
    client.post(library, {"files": [upload(image_bytes(640, 800), "big.jpg")]})
    asset = MediaAsset.objects.get()
    url = reverse("admin:publishing_media_thumbnail", args=[asset.pk])

    mine = client.get(url)
    client.force_login(role_user("Editor"))  # sees only what they uploaded
    theirs = client.get(url)

    assert mine.status_code == 200 and mine["Content-Type"] == "image/jpeg"
    assert b"".join(mine.streaming_content)[:2] == b"\xff\xd8"
    assert theirs.status_code == 404


def test_an_editor_uploads_but_sees_no_delete_and_an_analyst_only_looks(client, role_user, library):
    editor, analyst = role_user("Editor"), role_user("Analyst")
    client.force_login(editor)
    client.post(library, {"files": [upload(image_bytes(), "mine.jpg")]})
    page = client.get(library).content.decode()
    refused_delete = client.post(library, {"delete": MediaAsset.objects.get().pk})

    client.force_login(analyst)
    analyst_page = client.get(library).content.decode()
    refused_upload = client.post(library, {"files": [upload(image_bytes(), "x.jpg")]})

    assert 'class="co-card"' in page and 'name="delete"' not in page
    assert refused_delete.status_code == 403 and MediaAsset.objects.count() == 1
    assert 'id="media-upload"' not in analyst_page
    assert refused_upload.status_code == 403


def test_the_menu_lists_the_library_for_who_may_open_it(client, role_user, library):
    entry = next(e for e in MENU if e.url_name == "publishing_media_library")
    finance = role_user("Finance")
    client.force_login(finance)

    assert entry.permissions == ("publishing.view_mediaasset",)
    assert client.get(library).status_code == 403
    assert not finance.has_perms(entry.permissions)  # so the menu does not show it
