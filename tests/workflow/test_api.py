"""The workflow API: a creator runs its whole side (its tasks, a draft, a caption, a comment,
submit); a manager creates campaigns and deliverables, reviews, reads progress; bad input
answers the error shape, never a 500."""

import pytest
from django.utils import timezone

from tests.creators.factories import CreatorFactory
from tests.publishing.factories import MediaAssetFactory
from tests.settings_app.factories import ClientFactory, UserFactory
from tests.utils import key_client
from tests.workflow.factories import comment_make, task_make
from workflow.models import ContentTask

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", roles=["Manager"], is_staff=True)


@pytest.fixture
def campaign_with_tasks(manager, creator_login):
    user, creator = creator_login("maya")
    client = key_client(manager)
    campaign = client.post(
        f"{API}/campaigns/",
        {"client": ClientFactory().pk, "name": "Summer drop", "platforms": ["instagram"]},
        format="json",
    )
    assert campaign.status_code == 201, campaign.content
    deliverable = client.post(
        f"{API}/deliverables/",
        {
            "campaign": campaign.json()["id"],
            "creator": creator.pk,
            "platform": "instagram",
            "kind": "reel",
            "quantity": 2,
            "due": (timezone.now() + timezone.timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert deliverable.status_code == 201, deliverable.content
    return campaign.json()["id"], user, creator


def test_a_creator_runs_its_side_through_the_api(manager, campaign_with_tasks):
    _, user, _ = campaign_with_tasks
    other = task_make(title="Someone else's")
    me = key_client(user)

    tasks = me.get(f"{API}/tasks/").json()["results"]
    assert [t["title"] for t in tasks] == ["Summer drop — Reel 1/2", "Summer drop — Reel 2/2"]
    assert other.pk not in {t["id"] for t in tasks}
    task_id = tasks[0]["id"]
    assert tasks[0]["next_columns"] == ["in_progress"]

    assert (
        me.post(f"{API}/tasks/{task_id}/move/", {"to": "in_progress"}, format="json").status_code
        == 200
    )
    refused = me.post(f"{API}/tasks/{task_id}/move/", {"to": "submitted"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "move_refused"
    assert "needs a draft" in refused.json()["error"]["message"]

    media = MediaAssetFactory(created_by=user)
    upload = me.post(f"{API}/tasks/{task_id}/assets/", {"media": [media.pk]}, format="json")
    assert upload.status_code == 201, upload.content
    assert upload.json()[0]["version"] == 1
    caption = me.post(
        f"{API}/tasks/{task_id}/captions/",
        {"text": "Sun's out", "hashtags": ["#summer"]},
        format="json",
    )
    assert caption.status_code == 201
    assert caption.json()["hashtags"] == ["summer"]
    assert (
        me.post(f"{API}/tasks/{task_id}/comments/", {"body": "Done!"}, format="json").status_code
        == 201
    )
    submitted = me.post(f"{API}/tasks/{task_id}/move/", {"to": "submitted"}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["column"] == "submitted"

    # The creator cannot approve its own work; the manager can.
    approve = me.post(f"{API}/tasks/{task_id}/move/", {"to": "approved"}, format="json")
    assert approve.status_code == 400
    assert "made by a manager or the client's review link" in approve.json()["error"]["message"]
    boss = key_client(manager)
    changes = boss.post(
        f"{API}/tasks/{task_id}/move/",
        {"to": "needs_changes", "note": "Shorter hook"},
        format="json",
    )
    assert changes.json()["column"] == "needs_changes"

    timeline = me.get(f"{API}/tasks/{task_id}/timeline/").json()
    assert [m["to_column"] for m in timeline] == [
        "backlog",
        "in_progress",
        "submitted",
        "needs_changes",
    ]
    assert timeline[-1]["note"] == "Shorter hook"

    me.post(f"{API}/tasks/{task_id}/captions/", {"text": "Sun is out"}, format="json")
    diff = me.get(f"{API}/tasks/{task_id}/caption-diff/").json()
    assert diff["parts"][:3] == [
        {"op": "delete", "text": "Sun's"},
        {"op": "insert", "text": "Sun is"},
        {"op": "equal", "text": " out"},
    ]
    assert (
        me.post(f"{API}/tasks/{task_id}/move/", {"to": "submitted"}, format="json").status_code
        == 200
    )


def test_a_creator_never_sees_internal_comments_nor_writes_them(manager, creator_login):
    user, creator = creator_login()
    task = task_make(creator=creator)
    comment_make(task, author=manager, body="Their last one flopped", visibility="internal")
    comment_make(task, author=manager, body="Looking good", visibility="shared")
    me = key_client(user)

    bodies = [c["body"] for c in me.get(f"{API}/tasks/{task.pk}/comments/").json()]
    listed = me.get(f"{API}/tasks/").json()["results"][0]
    internal = me.post(
        f"{API}/tasks/{task.pk}/comments/", {"body": "x", "visibility": "internal"}, format="json"
    )

    assert bodies == ["Looking good"]
    assert listed["comment_count"] == 1
    assert internal.status_code == 400
    staff_bodies = [
        c["body"] for c in key_client(manager).get(f"{API}/tasks/{task.pk}/comments/").json()
    ]
    assert staff_bodies == ["Their last one flopped", "Looking good"]


def test_a_creator_gets_404_for_another_creators_task_and_campaign(creator_login, manager):
    user, _ = creator_login()
    theirs = task_make(title="Not yours")
    me = key_client(user)
    assert me.get(f"{API}/tasks/{theirs.pk}/").status_code == 404
    assert (
        me.post(f"{API}/tasks/{theirs.pk}/move/", {"to": "in_progress"}, format="json").status_code
        == 404
    )
    assert me.get(f"{API}/campaigns/").json()["results"] == []


def test_a_creator_may_not_hand_in_media_it_did_not_upload(creator_login):
    user, creator = creator_login()
    task = task_make(creator=creator)
    someone_elses = MediaAssetFactory()
    answer = key_client(user).post(
        f"{API}/tasks/{task.pk}/assets/", {"media": [someone_elses.pk]}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["media"]


def test_campaign_progress_is_in_the_api(manager, campaign_with_tasks):
    campaign_id, _, creator = campaign_with_tasks
    ContentTask.objects.filter(campaign_id=campaign_id, title__endswith="1/2").update(
        column="published", position=0
    )
    progress = key_client(manager).get(f"{API}/campaigns/{campaign_id}/").json()["progress"]
    listed = key_client(manager).get(f"{API}/campaigns/").json()["results"][0]["progress"]
    assert progress == listed
    assert progress["promised"] == 2 and progress["delivered"] == 1 and progress["percent"] == 50
    assert progress["per_creator"][0]["creator"] == creator.pk


def test_tasks_filter_by_the_shared_filterset(manager):
    late = task_make(title="late", due_at=timezone.now() - timezone.timedelta(hours=1))
    task_make(title="fine", due_at=timezone.now() + timezone.timedelta(days=1))
    client = key_client(manager)
    assert [t["id"] for t in client.get(f"{API}/tasks/?overdue=true").json()["results"]] == [
        late.pk
    ]
    assert client.get(f"{API}/tasks/?column=nowhere").status_code == 400
    assert client.get(f"{API}/tasks/?creator={late.creator_id}").json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "sideways"}, "to"),
        ({"to": "in_progress", "position": -1}, "position"),
        ({"to": "in_progress", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_move_request_gets_a_clear_error(manager, body, field):
    task = task_make()
    answer = key_client(manager).post(f"{API}/tasks/{task.pk}/move/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


def test_a_review_link_is_created_once_with_its_url_and_revoked(manager):
    task = task_make()
    client = key_client(manager)
    created = client.post(f"{API}/tasks/{task.pk}/review-links/", {"days": 3}, format="json")
    assert created.status_code == 201
    assert "/review/" in created.json()["url"]
    link_id = created.json()["id"]
    assert client.get(f"{API}/review-links/{link_id}/").json()["url"] is None
    revoked = client.post(f"{API}/review-links/{link_id}/revoke/")
    assert revoked.json()["status"] == "revoked"
    assert client.post(f"{API}/review-links/", {"days": 3}, format="json").status_code == 400


def test_a_manager_creates_a_task_through_the_api(manager):
    creator = CreatorFactory()
    answer = key_client(manager).post(
        f"{API}/tasks/",
        {"creator": creator.pk, "title": "Loose idea", "platform": "tiktok"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["column"] == "backlog"
