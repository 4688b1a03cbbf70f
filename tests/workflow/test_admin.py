"""Workflow in the admin: the task page (brief, drafts, caption versions and diff, comments with
internal ones marked, timeline, move buttons), a refused move's rule as a message, the campaign
page's progress, deliverables creating their tasks, a creator's restricted view."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.creators.factories import CreatorFactory
from tests.workflow.conftest import task_in
from tests.workflow.factories import CampaignFactory, DeliverableFactory, comment_make, task_make
from workflow.choices import Column
from workflow.models import CaptionVersion, ContentTask, Deliverable

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task_page(task):
    return reverse("admin:workflow_contenttask_change", args=[task.pk])


def act_url(task):
    return reverse("admin:workflow_task_act", args=[task.pk])


def test_the_task_page_shows_brief_drafts_captions_diff_comments_and_timeline(staff):
    task = task_in(Column.SUBMITTED, description="Film at golden hour")
    CaptionVersion.objects.create(task=task, number=2, text="Caption v2 brighter")
    comment_make(task, author=staff, body="Client is picky", visibility="internal")
    comment_make(task, author=staff, body="Nice light", visibility="shared")

    html = _client(staff).get(task_page(task)).content.decode()

    assert "Film at golden hour" in html
    assert "<img" in html  # the draft's preview
    assert "<del>v1</del>" in html and "<ins>v2 brighter</ins>" in html
    assert "Internal</span>" in html and "Client is picky" in html
    assert 'id="task-timeline"' in html and "Submitted" in html
    assert 'data-to="approved"' in html and 'data-to="needs_changes"' in html


def test_a_task_without_a_description_shows_its_campaigns_brief(staff):
    campaign = CampaignFactory(brief="Two reels about the lemon soda, outdoors.")
    briefed = task_make(campaign=campaign, description="")
    bare = task_make(campaign=CampaignFactory(brief=""), description="")

    html = _client(staff).get(task_page(briefed)).content.decode()

    assert 'id="task-campaign-brief"' in html and "lemon soda, outdoors." in html
    assert "No brief." not in html
    assert "No brief." in _client(staff).get(task_page(bare)).content.decode()


def test_a_move_button_moves_and_a_refused_move_shows_its_rule(staff, role_user):
    task = task_in(Column.SUBMITTED)
    client = _client(staff)
    done = client.post(act_url(task), {"what": "move", "to": "approved"}, follow=True)
    task.refresh_from_db()
    assert task.column == Column.APPROVED
    assert "Moved to Approved" in done.content.decode()

    editor = role_user("Editor")
    mine = task_in(Column.SUBMITTED, assignee=editor)
    refused = _client(editor).post(act_url(mine), {"what": "move", "to": "approved"}, follow=True)
    mine.refresh_from_db()
    assert mine.column == Column.SUBMITTED
    assert "is made by a manager or the client&#x27;s review link" in refused.content.decode()


def test_staff_may_mark_a_comment_internal_from_the_task_page(staff):
    task = task_make()
    _client(staff).post(
        act_url(task), {"what": "comment", "body": "Budget is tight", "visibility": "internal"}
    )
    assert task.comments.get().visibility == "internal"


def test_a_creator_login_reads_its_task_page_without_internal_comments(creator_login, staff):
    user, creator = creator_login()
    task = task_in(Column.BACKLOG, creator=creator)
    comment_make(task, author=staff, body="Internal gossip", visibility="internal")
    comment_make(task, author=staff, body="Please start soon", visibility="shared")
    other = task_make(title="Other creator's task")
    client = _client(user)

    html = client.get(task_page(task)).content.decode()
    assert "Please start soon" in html and "Internal gossip" not in html
    assert 'name="visibility" value="internal"' not in html
    assert 'data-to="in_progress"' in html
    assert client.get(task_page(other)).status_code in (302, 404)

    client.post(act_url(task), {"what": "move", "to": "in_progress"})
    task.refresh_from_db()
    assert task.column == Column.IN_PROGRESS
    # A creator never writes an internal comment, even by posting one.
    client.post(act_url(task), {"what": "comment", "body": "psst", "visibility": "internal"})
    assert not task.comments.filter(body="psst").exists()


def test_the_campaign_page_shows_progress_per_creator(staff):
    campaign = CampaignFactory()
    maya = CreatorFactory(display_name="Maya")
    DeliverableFactory(
        campaign=campaign, creator=maya, quantity=3, due=timezone.now() - timezone.timedelta(days=1)
    )
    html = (
        _client(staff)
        .get(reverse("admin:workflow_campaign_change", args=[campaign.pk]))
        .content.decode()
    )
    assert "0 of 3 delivered" in html
    assert "3 overdue" in html and "Maya" in html


def test_adding_a_deliverable_in_the_admin_creates_its_tasks(staff):
    campaign = CampaignFactory(name="Spring")
    creator = CreatorFactory()
    answer = _client(staff).post(
        reverse("admin:workflow_deliverable_add"),
        {
            "campaign": campaign.pk,
            "creator": creator.pk,
            "platform": "tiktok",
            "kind": "video",
            "quantity": 3,
            "create_tasks": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    deliverable = Deliverable.objects.get()
    assert list(
        ContentTask.objects.filter(deliverable=deliverable).values_list("position", flat=True)
    ) == [0, 1, 2]


def test_a_review_link_is_created_from_the_task_page_and_shown_once(staff):
    task = task_in(Column.SUBMITTED)
    done = _client(staff).post(act_url(task), {"what": "review_link", "days": "5"}, follow=True)
    assert "/review/" in done.content.decode()
    assert task.review_links.count() == 1


def test_the_workflow_changelists_open_for_the_roles_that_see_them(staff, role_user, creator_login):
    task_make()
    user, _ = creator_login()
    for who in (staff, role_user("Manager"), role_user("Analyst"), role_user("Editor"), user):
        client = _client(who)
        for name in ("contenttask", "campaign", "deliverable"):
            answer = client.get(reverse(f"admin:workflow_{name}_changelist"))
            assert answer.status_code == 200, (who, name)
