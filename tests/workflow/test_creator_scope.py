"""What a creator's login sees of a campaign it shares with other creators: its own progress
row and deliverables, its own published tasks, in the API and on the admin's campaign page;
never the other creators'. And a creator uploads a draft file through the API (multipart)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.creators.factories import CreatorFactory
from tests.posts.factories import PostFactory
from tests.publishing.media_samples import image_bytes
from tests.settings_app.factories import UserFactory
from tests.utils import key_client
from tests.workflow.factories import CampaignFactory, task_make
from workflow.models import Asset, ContentTask
from workflow.services.campaigns import deliverable_create

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def shared_campaign(creator_login):
    user, maya = creator_login("maya")
    olga = CreatorFactory(display_name="Olga Other")
    campaign = CampaignFactory(name="Summer drop", budget="48250.00")
    for creator, units in ((maya, 2), (olga, 3)):
        deliverable_create(
            campaign=campaign, creator=creator, platform="instagram", kind="reel", quantity=units
        )
    theirs = ContentTask.objects.filter(creator=olga).first()
    ContentTask.objects.filter(pk=theirs.pk).update(column="published")
    theirs.published_posts.add(PostFactory(url="https://www.instagram.com/p/COlgaPost1/"))
    return campaign, user, maya


def test_a_creator_sees_only_its_own_progress_and_deliverables_in_the_api(shared_campaign):
    campaign, user, maya = shared_campaign
    client = key_client(user)

    progress = client.get(f"{API}/campaigns/{campaign.pk}/").json()["progress"]
    listed = client.get(f"{API}/campaigns/").json()["results"][0]["progress"]
    deliverables = client.get(f"{API}/deliverables/").json()["results"]

    assert progress == listed
    assert [row["creator"] for row in progress["per_creator"]] == [maya.pk]
    assert progress["promised"] == 2 and progress["delivered"] == 0
    assert [d["creator"] for d in deliverables] == [maya.pk]
    assert client.get(f"{API}/campaigns/{campaign.pk}/").json()["budget"] is None


def test_a_manager_still_sees_every_creators_progress(shared_campaign):
    campaign, _, _ = shared_campaign
    manager = UserFactory(roles=["Manager"], is_staff=True)
    progress = key_client(manager).get(f"{API}/campaigns/{campaign.pk}/").json()["progress"]
    assert progress["promised"] == 5 and progress["delivered"] == 1
    assert len(progress["per_creator"]) == 2
    assert key_client(manager).get(f"{API}/campaigns/{campaign.pk}/").json()["budget"]


def test_the_campaign_page_shows_a_creator_only_its_own_rows(shared_campaign):
    campaign, user, _ = shared_campaign
    client = Client()
    client.force_login(user)

    html = client.get(reverse("admin:workflow_campaign_change", args=[campaign.pk])).content
    html = html.decode()

    assert "Summer drop" in html and "Maya" in html
    assert "Olga Other" not in html
    assert "COlgaPost1" not in html
    assert "48250" not in html and "48,250" not in html
    assert "Progress: 0 of 2 delivered" in html
    # No link to a page this role may not open.
    assert reverse("admin:workflow_deliverable_add") not in html
    assert client.get(reverse("admin:workflow_deliverable_add")).status_code == 403


def test_a_creator_uploads_a_draft_file_through_the_api(creator_login, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    user, creator = creator_login("maya")
    task = task_make(creator=creator)
    upload = SimpleUploadedFile("draft.jpg", image_bytes(), content_type="image/jpeg")

    answer = key_client(user).post(
        f"{API}/tasks/{task.pk}/assets/", {"file": upload}, format="multipart"
    )

    assert answer.status_code == 201, answer.content
    assert [(a["version"], a["kind"]) for a in answer.json()] == [(1, "image")]
    assert Asset.objects.get(task=task).media.created_by == user
