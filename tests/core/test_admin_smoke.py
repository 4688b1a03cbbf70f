"""Every registered admin loads; the index follows the modules; big lists are not counted."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_q.models import Failure, OrmQ, Schedule, Success

from analytics.models import (
    AskedQuestion,
    AudienceSnapshot,
    DailyAccountMetric,
    Mention,
    Report,
    ReportSchedule,
)
from config.admin_menu import APP_ORDER
from core.admin.changelist import EstimatedCountPaginator
from core.admin_site import ordered_app_list
from core.ai_usage import ai_usage_record
from core.audit import audit_record
from core.models import AuditEntry
from creators.models import Account, AccountSnapshot, Creator
from finance.models import FinanceItem, PayoutStatement
from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.services import notify
from operations.models import FailedItem, JobRun
from posts.models import Post, PostSnapshot
from publishing.models import (
    MediaAsset,
    PostingSlot,
    PublishTarget,
    ScheduledPost,
    SocialConnection,
)
from settings_app.models import (
    ApiKey,
    Board,
    Category,
    Client,
    Editor,
    PlatformCredential,
    Subcategory,
)
from settings_app.services import api_key_create
from tests.creators.factories import AccountFactory, AccountSnapshotFactory, CreatorFactory
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.operations.factories import FailedItemFactory, JobRunFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.publishing.factories import (
    MediaAssetFactory,
    PublishAttemptFactory,
    SocialConnectionFactory,
)
from tests.settings_app.factories import (
    BoardFactory,
    ClientFactory,
    EditorFactory,
    SubcategoryFactory,
    UserFactory,
)
from tests.workflow.factories import CampaignFactory, DeliverableFactory, task_make
from workflow.models import Campaign, ContentTask, Deliverable, ReviewLink
from workflow.services.review import review_link_create

pytestmark = pytest.mark.django_db


def _task(success: bool):
    now = timezone.now()
    model = Success if success else Failure
    return model.objects.create(
        id=f"{'a' if success else 'b'}" * 32,
        name="smoke-task",
        func="math.floor",
        started=now,
        stopped=now,
        success=success,
    )


# One row per registered model, so its change page can be opened. A model registered without
# an entry here fails the smoke test: add one.
def _notification() -> Notification:
    user = UserFactory._meta.model.objects.get(username="admin")  # the signed-in superuser
    notify([user], kind=NotificationKind.APPROVED, text="Task approved", key="smoke")
    return Notification.objects.get(key="smoke")


INSTANCE_MAKERS = {
    AudienceSnapshot: lambda: AudienceSnapshot.objects.create(
        account=AccountFactory(),
        date="2026-03-18",
        source="youtube_analytics",
        fetched_at=timezone.now(),
    ),
    Mention: lambda: Mention.objects.create(
        client=ClientFactory(),
        post=PostFactory(caption="#acme"),
        term="#acme",
        matched_at=timezone.now(),
    ),
    AskedQuestion: lambda: ai_usage_record(
        "ask", detail={"question": "Top posts?", "tool_calls": []}
    ),
    Group: lambda: Group.objects.create(name="Managers"),
    UserFactory._meta.model: lambda: UserFactory(),
    Schedule: lambda: Schedule.objects.create(name="smoke", func="math.floor"),
    Success: lambda: _task(True),
    Failure: lambda: _task(False),
    OrmQ: lambda: OrmQ.objects.create(key="creatorops", payload="not-a-package"),
    Client: lambda: ClientFactory(),
    Editor: lambda: EditorFactory(),
    Board: lambda: BoardFactory(),
    Category: lambda: SubcategoryFactory().category,
    Subcategory: lambda: SubcategoryFactory(),
    ApiKey: lambda: api_key_create(user=UserFactory(), name="smoke")[0],
    PlatformCredential: lambda: PlatformCredential.objects.create(
        platform="instagram", name="graph", token="secret"
    ),
    Account: lambda: AccountFactory(followers=12_345),
    AccountSnapshot: lambda: AccountSnapshotFactory(),
    Post: lambda: PostFactory(views=12_345),
    PostSnapshot: lambda: PostSnapshotFactory(),
    DailyAccountMetric: lambda: DailyAccountMetric.objects.create(
        account=AccountFactory(), date=date(2026, 3, 1), followers=10
    ),
    FinanceItem: lambda: FinanceItemFactory(),
    PayoutStatement: lambda: PayoutStatementFactory(),
    JobRun: lambda: JobRunFactory(),
    FailedItem: lambda: FailedItemFactory(),
    SocialConnection: lambda: SocialConnectionFactory(),
    Notification: lambda: _notification(),
    MediaAsset: lambda: MediaAssetFactory(),
    ScheduledPost: lambda: PublishAttemptFactory().target.post,
    PublishTarget: lambda: PublishAttemptFactory().target,
    Creator: lambda: CreatorFactory(),
    Campaign: lambda: CampaignFactory(),
    Deliverable: lambda: DeliverableFactory(),
    ContentTask: lambda: task_make(),
    ReviewLink: lambda: review_link_create(created_by=UserFactory(), task=task_make())[0],
    PostingSlot: lambda: PostingSlot.objects.create(
        connection=SocialConnectionFactory(), weekday=1, local_time="09:00", timezone="UTC"
    ),
    Report: lambda: Report.objects.create(
        kind="monthly",
        scope_kind="client",
        scope_id=ClientFactory().pk,
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        status="failed",
        error="RuntimeError: smoke",
    ),
    ReportSchedule: lambda: ReportSchedule.objects.create(
        client=ClientFactory(), frequency="monthly"
    ),
    AuditEntry: lambda: audit_record(
        actor=UserFactory(), obj=PostFactory(), before={"extra": {}}, after={"extra": {"a": 1}}
    ),
}

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_every_registered_model_has_working_list_add_and_change_pages(
    superuser_client, rf, superuser, model, model_admin
):
    assert model in INSTANCE_MAKERS, f"Add a row maker for {model._meta.label} to INSTANCE_MAKERS"
    obj = INSTANCE_MAKERS[model]()
    info = model._meta.app_label, model._meta.model_name

    changelist = superuser_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert changelist.status_code == 200
    assert reverse("admin:{}_{}_change".format(*info), args=[obj.pk]) in changelist.content.decode()

    request = rf.get("/")
    request.user = superuser
    add = superuser_client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)

    change = superuser_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    assert change.status_code == 200


def test_big_tables_are_listed_without_a_full_count():
    for model in (Post, PostSnapshot, Account, AccountSnapshot):
        model_admin = admin.site._registry[model]
        assert model_admin.show_full_result_count is False
        assert model_admin.paginator is EstimatedCountPaginator
        assert model_admin.list_select_related


def test_a_staff_user_without_permissions_cannot_open_the_post_list(client, staff_without_role):
    client.force_login(staff_without_role)

    assert client.get(reverse("admin:posts_post_changelist")).status_code == 403


def test_the_index_shows_the_modules_in_order_under_the_creatorops_header(superuser_client):
    FinanceItemFactory()

    response = superuser_client.get(reverse("admin:index"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "CreatorOps" in content
    names = [app["name"] for app in response.context["app_list"]]
    assert names[:8] == [
        "Posts",
        "Creators",
        "Workflow",
        "Publishing",
        "Finance",
        "Analytics",
        "Operations",
        "Settings",
    ]
    assert content.index(">Posts<") < content.index(">Creators<") < content.index(">Settings<")


def test_apps_outside_the_modules_follow_them_by_name():
    apps = [
        {"app_label": label, "name": name}
        for label, name in [
            ("auth", "Authentication and Authorization"),
            ("settings_app", "Settings"),
            ("django_q", "Jobs"),
            ("posts", "Posts"),
            ("operations", "Operations"),
            ("finance", "Finance"),
            ("creators", "Creators"),
        ]
    ]

    ordered = [app["name"] for app in ordered_app_list(apps, APP_ORDER)]

    assert ordered == [
        "Posts",
        "Creators",
        "Finance",
        "Operations",
        "Settings",
        "Authentication and Authorization",
        "Jobs",
    ]


def test_the_paginator_counts_exactly_a_small_or_filtered_list():
    PostFactory.create_batch(3, views=5)
    PostFactory(views=50)

    assert EstimatedCountPaginator(Post.objects.all(), 2).count == 4
    assert EstimatedCountPaginator(Post.objects.filter(views=5), 2).count == 3


def test_the_paginator_takes_the_planners_estimate_of_a_big_unfiltered_list():
    PostFactory.create_batch(3)

    class LowThreshold(EstimatedCountPaginator):
        estimate_threshold = 1

    if connection.vendor != "postgresql":
        # SQLite keeps no planner statistics: the count stays exact there.
        PostFactory.create_batch(2)
        assert LowThreshold(Post.objects.order_by("-id"), 2).count == 5
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE posts_post")
    PostFactory.create_batch(2)  # the estimate lags behind, as on a big busy table

    with CaptureQueriesContext(connection) as queries:
        assert LowThreshold(Post.objects.order_by("-id"), 2).count == 3
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)
    # Filtered, and more rows expected than the threshold: the planner's estimate, no count.
    with CaptureQueriesContext(connection) as queries:
        assert LowThreshold(Post.objects.filter(views__isnull=True), 2).count >= 2
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)
    assert EstimatedCountPaginator(Post.objects.all(), 2).count == 5  # below 10,000: exact
    assert EstimatedCountPaginator(Post.objects.filter(views__isnull=True), 2).count == 5
