"""The evaluation's workspace: the demo agency (operations.demo, fixed seed) at a fixed `now`,
plus a few campaigns, content tasks and payout statements, and two users: an Owner and an
Editor (Maya Chen's login) who sees only her own rows. Deterministic: the same rows, labels
and figures on SQLite and PostgreSQL, whatever the date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
ACCOUNTS = 12
POSTS = 300
DAYS = 45
OWNER, EDITOR = "eval_owner", "eval_editor"
EDITOR_NAME = "Maya Chen (demo)"

# (campaign, status, client index, [(task title, column, due in hours from NOW, for the editor)])
CAMPAIGNS = [
    (
        "Spring launch",
        "active",
        0,
        [
            ("Spring teaser reel", "published", -100, True),
            ("Spring launch carousel", "in_progress", -5, True),
            ("Spring behind the scenes", "backlog", 48, False),
        ],
    ),
    (
        "Summer preview",
        "draft",
        1,
        [
            ("Summer lookbook", "submitted", 24, True),
            ("Summer travel vlog", "needs_changes", -30, False),
        ],
    ),
    (
        "Winter recap",
        "completed",
        2,
        [
            ("Winter highlights", "published", -500, False),
            ("Winter thank-you post", "approved", -2, False),
            ("Winter outtakes", "scheduled", 72, True),
        ],
    ),
]


def eval_dataset_create() -> dict:
    """Create the workspace (idempotent for the demo part); returns the two users."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from creators.models import Creator
    from finance.models import PayoutStatement
    from finance.services import finance_statements_recompute, statement_approve
    from operations.demo import demo_data_create
    from settings_app.models import Client, Editor
    from workflow.models import Campaign, ContentTask, Deliverable
    from workflow.services.tasks import task_create

    demo_data_create(accounts=ACCOUNTS, posts=POSTS, days=DAYS, now=NOW)
    User = get_user_model()
    owner, _ = User.objects.get_or_create(username=OWNER, defaults={"is_staff": True})
    owner.groups.set(Group.objects.filter(name="Owner"))
    editor, _ = User.objects.get_or_create(username=EDITOR, defaults={"is_staff": True})
    editor.groups.set(Group.objects.filter(name="Editor"))
    Editor.objects.filter(name=EDITOR_NAME).update(user=editor)
    if not Campaign.objects.filter(name=CAMPAIGNS[0][0]).exists():
        clients = list(Client.objects.order_by("name"))
        for n, (name, status, client, tasks) in enumerate(CAMPAIGNS):
            creator = Creator.objects.create(display_name=f"Eval creator {n + 1}")
            campaign = Campaign.objects.create(
                client=clients[client % len(clients)], name=name, status=status
            )
            deliverable = Deliverable.objects.create(
                campaign=campaign,
                creator=creator,
                platform="instagram",
                kind="reel",
                quantity=len(tasks) + 1,
                due=NOW + timedelta(days=10 * (n - 1)),
            )
            for title, column, due_hours, mine in tasks:
                task = task_create(
                    creator=creator,
                    title=title,
                    platform="instagram",
                    campaign=campaign,
                    deliverable=deliverable if column == "published" else None,
                    assignee=editor if mine else owner,
                    due_at=NOW + timedelta(hours=due_hours),
                )
                ContentTask.objects.filter(pk=task.pk).update(column=column)
    if not PayoutStatement.objects.exists():
        finance_statements_recompute(now=NOW)
        last_month = PayoutStatement.objects.filter(month="2026-02-01").order_by("pk")
        for statement in last_month[:2]:
            statement_approve(statement=statement, user=owner, now=NOW)
    return {"owner": owner, "editor": editor}
