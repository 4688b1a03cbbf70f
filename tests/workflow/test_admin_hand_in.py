"""The task page's creator side in the admin: a creator's login hands in a draft (files go to
the media library and become the next draft version) and a caption version, then submits;
nobody else's task, and never once approved. The task page lists the tracked posts the
publisher linked, and its assignee is a select (no lookup into the users' list, which a
manager may not open)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from publishing.models import MediaAsset
from tests.posts.factories import PostFactory
from tests.publishing.media_samples import image_bytes
from tests.workflow.conftest import task_in
from tests.workflow.factories import task_make
from workflow.choices import Column
from workflow.models import Asset, CaptionVersion

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(task):
    return reverse("admin:workflow_task_act", args=[task.pk])


def page(task):
    return reverse("admin:workflow_contenttask_change", args=[task.pk])


def jpeg(name="draft.jpg", color="teal"):
    return SimpleUploadedFile(name, image_bytes(color=color), content_type="image/jpeg")


def test_a_creator_hands_in_a_draft_and_a_caption_then_submits(creator_login, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    user, creator = creator_login("maya")
    task = task_make(creator=creator)
    client = _client(user)
    html = client.get(page(task)).content.decode()
    assert 'id="draft-form"' in html and 'id="caption-form"' in html

    client.post(act(task), {"what": "move", "to": "in_progress"})
    drafted = client.post(
        act(task), {"what": "draft", "files": [jpeg(), jpeg("b.jpg", "red")]}, follow=True
    )
    captioned = client.post(
        act(task), {"what": "caption", "text": "Sunny", "hashtags": "#summer, lemon"}, follow=True
    )
    client.post(act(task), {"what": "move", "to": "submitted"})

    assert "Draft version 1 handed in" in drafted.content.decode()
    assert "Caption version 1 added" in captioned.content.decode()
    assert list(Asset.objects.filter(task=task).values_list("version", "kind")) == [
        (1, "image"),
        (1, "image"),
    ]
    assert MediaAsset.objects.filter(created_by=user).count() == 2
    caption = CaptionVersion.objects.get(task=task)
    assert (caption.text, caption.hashtags, caption.author) == ("Sunny", ["summer", "lemon"], user)
    task.refresh_from_db()
    assert task.column == Column.SUBMITTED


def test_a_creator_cannot_hand_in_on_another_creators_task_nor_after_approval(
    creator_login, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    user, creator = creator_login("maya")
    client = _client(user)
    theirs = task_make()
    approved = task_in(Column.APPROVED, creator=creator)

    client.post(act(theirs), {"what": "caption", "text": "Mine now"})
    refused = client.post(act(approved), {"what": "caption", "text": "Late"}, follow=True)

    assert not CaptionVersion.objects.filter(text__in=["Mine now", "Late"]).exists()
    assert "only before approval" in refused.content.decode()
    assert 'id="caption-form"' not in client.get(page(approved)).content.decode()


def test_a_file_that_is_no_image_nor_video_is_refused_with_its_name(
    creator_login, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    user, creator = creator_login("maya")
    task = task_make(creator=creator)
    bad = SimpleUploadedFile("notes.jpg", b"not an image at all", content_type="image/jpeg")

    answer = _client(user).post(act(task), {"what": "draft", "files": [bad]}, follow=True)

    assert "notes.jpg: it is neither an image nor a video" in answer.content.decode().lower()
    assert not Asset.objects.filter(task=task).exists()


def test_the_task_page_lists_its_published_posts_with_their_stats(staff):
    task = task_in(Column.PUBLISHED)
    post = PostFactory(url="https://www.instagram.com/p/CWalk123/", views=1234, likes=56)
    task.published_posts.add(post)

    html = _client(staff).get(page(task)).content.decode()

    assert 'id="task-published"' in html
    assert "https://www.instagram.com/p/CWalk123/" in html and "1234" in html
    assert reverse("admin:posts_post_change", args=[post.pk]) in html


def test_a_managers_task_page_links_no_users_lookup_it_may_not_open(role_user):
    manager = role_user("Manager")
    task = task_in(Column.SUBMITTED)
    client = _client(manager)

    html = client.get(page(task)).content.decode()

    assert "/admin/auth/user/?_to_field" not in html
    assert 'name="assignee"' in html
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_a_creators_scheduled_task_shows_when_without_a_link_it_may_not_open(creator_login):
    user, creator = creator_login("maya")
    task = task_in(Column.SCHEDULED, creator=creator)
    client = _client(user)

    html = client.get(page(task)).content.decode()

    assert "Scheduled for" in html
    assert "/admin/publishing/scheduledpost/" not in html
    post_page = reverse("admin:publishing_scheduledpost_change", args=[task.scheduled_post_id])
    assert client.get(post_page).status_code == 403
