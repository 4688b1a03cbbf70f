"""Roles by endpoints, admin pages and actions: allowed or denied, the same in the API (session
and API key) and the admin. Editors see only their own rows; another's is a 404, not a 403."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from posts.choices import TrialStatus
from settings_app.services import api_key_create, api_key_revoke
from tests.creators.factories import AccountFactory, CreatorFactory
from tests.finance.factories import FinanceItemFactory, PayoutStatementFactory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import EditorFactory, UserFactory
from tests.utils import key_client, with_key
from tests.workflow.factories import CampaignFactory, DeliverableFactory, task_make

ROLES = ["Owner", "Manager", "Finance", "Editor", "Analyst"]
API = "/api/v1"
REEL = "https://www.instagram.com/reel/DMatrix1234/"
PROFILE = "https://www.instagram.com/matrix.profile/"
OK = {200, 201}


@pytest.fixture
def world(db):
    """One user per role; the editor owns one account and one post, another editor others."""
    users = {role: UserFactory(username=role.lower(), roles=[role]) for role in ROLES}
    mine, theirs = (
        EditorFactory(user=users["Editor"]),
        EditorFactory(user=UserFactory(roles=["Editor"])),
    )
    item = FinanceItemFactory(phone_number="+1 555 0100", payment_details="IBAN XX00 1234")
    campaign = CampaignFactory()
    return {
        "task": task_make(campaign=campaign, assignee=users["Editor"]),
        "campaign": campaign,
        "client": campaign.client,
        "users": users,
        "my_post": PostFactory(editor=mine, is_trial=True, trial_status=TrialStatus.PENDING),
        "their_post": PostFactory(editor=theirs, is_trial=True, trial_status=TrialStatus.PENDING),
        "assigned_post": PostFactory(editor=theirs, assignee=users["Editor"]),
        "my_account": AccountFactory(editor=mine),
        "their_account": AccountFactory(editor=theirs),
        "item": item,
        "statement": PayoutStatementFactory(finance_item=item),
    }


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture(params=["session", "key"])
def client_for(request):
    """The same rules through a signed-in session and through the user's API key."""
    return session if request.param == "session" else key_client


# (method, path template, body, roles allowed)
API_MATRIX = [
    ("get", "/posts/", None, ROLES),
    ("get", "/posts/{my_post}/", None, ROLES),
    ("get", "/posts/{my_post}/snapshots/", None, ROLES),
    ("post", "/posts/", {"url": REEL}, ["Owner", "Manager", "Editor"]),
    ("patch", "/posts/{my_post}/", {"extra": {"a": 1}}, ["Owner", "Manager", "Editor"]),
    ("post", "/posts/{my_post}/approve/", {}, ["Owner", "Manager"]),
    ("post", "/posts/approve/", {"ids": ["{their_post}"]}, ["Owner", "Manager"]),
    ("get", "/accounts/", None, ROLES),
    ("get", "/accounts/{my_account}/", None, ROLES),
    ("post", "/accounts/", {"url": PROFILE}, ["Owner", "Manager"]),
    ("patch", "/accounts/{my_account}/", {"extra": {"a": 1}}, ["Owner", "Manager", "Editor"]),
    ("get", "/finance/items/", None, ["Owner", "Manager", "Finance", "Analyst"]),
    ("get", "/finance/items/{item}/", None, ["Owner", "Manager", "Finance", "Analyst"]),
    ("post", "/finance/items/", {"code": "FIN-9", "payee_name": "P"}, ["Owner", "Finance"]),
    ("patch", "/finance/items/{item}/", {"notes": "n"}, ["Owner", "Finance"]),
    ("get", "/finance/statements/", None, ["Owner", "Manager", "Finance", "Analyst"]),
    ("post", "/finance/statements/{statement}/approve/", {}, ["Owner", "Finance"]),
    (
        "get",
        "/finance/statements/export.csv?month=2026-03",
        None,
        ["Owner", "Manager", "Finance", "Analyst"],
    ),
    ("get", "/clients/", None, ROLES),
    ("post", "/clients/", {"name": "New client"}, ["Owner"]),
    ("post", "/editors/", {"name": "New editor"}, ["Owner"]),
    ("get", "/api-keys/", None, ROLES),
    ("get", "/ai/status/", None, ROLES),
    ("get", "/analytics/overview/", None, ROLES),
    ("get", "/analytics/content/?granularity=week", None, ROLES),
    ("get", "/analytics/compare/?client={client}", None, ROLES),
    ("get", "/analytics/insights/?client={client}", None, ROLES),
    # Workflow: editors see the tasks assigned to them; finance no task at all. Who may move a
    # task where is the moves table's (tests/workflow/test_moves_table.py).
    ("get", "/tasks/", None, ["Owner", "Manager", "Editor", "Analyst"]),
    ("get", "/tasks/{task}/", None, ["Owner", "Manager", "Editor", "Analyst"]),
    ("get", "/tasks/{task}/timeline/", None, ["Owner", "Manager", "Editor", "Analyst"]),
    ("post", "/tasks/{task}/comments/", {"body": "hi"}, ["Owner", "Manager", "Editor"]),
    ("get", "/campaigns/", None, ["Owner", "Manager", "Editor", "Analyst"]),
    ("post", "/campaigns/", {"client": "{client}", "name": "C"}, ["Owner", "Manager"]),
    ("get", "/review-links/", None, ["Owner", "Manager", "Analyst"]),
    ("post", "/review-links/", {"task": "{task}"}, ["Owner", "Manager"]),
    # Analytics: best time over the posts each role sees; audience and mentions for analysts.
    ("get", "/analytics/best-time/", None, ROLES),
    ("get", "/analytics/mentions/", None, ["Owner", "Manager", "Analyst"]),
    ("get", "/analytics/audience/", None, ["Owner", "Manager", "Analyst"]),
    # Reports: editors see and ask for their own (a client's report is refused as a 400 on its
    # scope, tested in tests/analytics); creators see their own creator's.
    ("get", "/reports/", None, ["Owner", "Manager", "Editor", "Analyst"]),
    (
        "post",
        "/reports/",
        {
            "kind": "monthly",
            "scope_kind": "client",
            "scope_id": "{client}",
            "start": "2026-03-01",
            "end": "2026-03-31",
        },
        ["Owner", "Manager"],
    ),
]


def _fill(template, world):
    ids = {k: v.pk for k, v in world.items() if hasattr(v, "pk")}
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, dict):
        # A value that is only a placeholder ("{client}") is an id: a JSON number.
        return {
            k: int(_fill(v, world))
            if isinstance(v, str) and v[:1] + v[-1:] == "{}"
            else _fill(v, world)
            for k, v in template.items()
        }
    if isinstance(template, list):
        return [int(_fill(v, world)) if isinstance(v, str) else v for v in template]
    return template


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), API_MATRIX, ids=lambda v: str(v)[:40]
)
def test_the_api_allows_each_role_what_its_role_allows(
    world, client_for, role, method, path, body, allowed
):
    client = client_for(world["users"][role])
    url = API + _fill(path, world)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, _fill(body, world), format="json")

    if role in allowed:
        assert response.status_code in OK, (role, url, response.content[:300])
    else:
        assert response.status_code == 403, (role, url, response.status_code)


@pytest.fixture
def creator_world(world, creator_login):
    """A creator's login with its own account, post, task and campaign, beside the world's."""
    user, creator = creator_login("maya")
    account = creator.accounts.get()
    campaign = CampaignFactory()
    DeliverableFactory(campaign=campaign, creator=creator, quantity=1)
    return {
        **world,
        "me": user,
        "my_creator_account": account,
        "my_creator_post": PostFactory(account=account),
        "my_task": task_make(creator=creator),
        "my_campaign": campaign,
        "other_creator": CreatorFactory(),
    }


# (method, path template, body, status for the Creator role): its own rows 200, others' 404,
# what the role does not cover 403.
CREATOR_MATRIX = [
    ("get", "/accounts/{my_creator_account}/", None, 200),
    ("get", "/accounts/{their_account}/", None, 404),
    ("get", "/posts/{my_creator_post}/", None, 200),
    ("get", "/posts/{my_post}/", None, 404),
    ("post", "/posts/", {"url": REEL}, 403),
    ("patch", "/accounts/{my_creator_account}/", {"extra": {"a": 1}}, 403),
    ("get", "/tasks/{my_task}/", None, 200),
    ("get", "/tasks/{task}/", None, 404),
    ("post", "/tasks/{my_task}/move/", {"to": "in_progress"}, 200),
    ("post", "/tasks/{task}/move/", {"to": "in_progress"}, 404),
    ("patch", "/tasks/{my_task}/", {"title": "Renamed"}, 403),
    ("post", "/tasks/", {"creator": "{other_creator}", "title": "x", "platform": "tiktok"}, 403),
    ("get", "/campaigns/{my_campaign}/", None, 200),
    ("get", "/campaigns/{campaign}/", None, 404),
    ("post", "/campaigns/", {"client": "{client}", "name": "C"}, 403),
    # AI assistance: another creator's thread is not found; planning and checking are staff's.
    ("post", "/tasks/{task}/summary/", None, 404),
    ("post", "/tasks/{task}/ai-captions/", {}, 404),
    ("post", "/tasks/{my_task}/quality-check/", None, 403),
    ("post", "/campaigns/{my_campaign}/brief-to-tasks/", {}, 403),
    ("post", "/campaigns/{my_campaign}/brief-to-tasks/confirm/", {"deliverables": []}, 403),
    ("get", "/review-links/", None, 403),
    ("get", "/finance/items/", None, 403),
    ("get", "/finance/items/{item}/", None, 403),
    ("get", "/finance/statements/", None, 403),
    ("get", "/clients/", None, 403),
    ("get", "/analytics/best-time/", None, 200),
    ("get", "/analytics/mentions/", None, 403),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), CREATOR_MATRIX, ids=lambda v: str(v)[:40]
)
def test_the_creator_role_reaches_only_its_own_rows(
    creator_world, client_for, method, path, body, expected
):
    client = client_for(creator_world["me"])
    url = API + _fill(path, creator_world)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, _fill(body, creator_world), format="json")
    assert response.status_code == expected, (url, response.status_code, response.content[:300])


def test_a_creator_lists_only_its_own_accounts_posts_tasks_and_campaigns(creator_world):
    client = key_client(creator_world["me"])

    def ids(path):
        return {row["id"] for row in client.get(f"{API}{path}").json()["results"]}

    assert ids("/accounts/") == {creator_world["my_creator_account"].pk}
    assert ids("/posts/") == {creator_world["my_creator_post"].pk}
    assert ids("/tasks/") == {creator_world["my_task"].pk}
    assert ids("/campaigns/") == {creator_world["my_campaign"].pk}


def test_the_matrix_ai_status_route_exists():
    # Guards the matrix above against a renamed route silently answering 404.
    assert reverse("ai-status") == "/api/v1/ai/status/"


@pytest.mark.parametrize("method", ["get", "patch"])
def test_an_editor_gets_404_for_another_editors_post(world, client_for, method):
    client = client_for(world["users"]["Editor"])
    url = f"{API}/posts/{world['their_post'].pk}/"
    response = (
        client.get(url)
        if method == "get"
        else getattr(client, method)(url, {"extra": {"a": 1}}, format="json")
    )
    assert response.status_code == 404
    world["their_post"].refresh_from_db()
    assert world["their_post"].extra == {}


def test_an_editor_may_not_delete_any_post_whatever_the_id(world, client_for):
    # Refused before any lookup: the same answer for their own, another's and a missing id.
    client = client_for(world["users"]["Editor"])
    for pk in (world["my_post"].pk, world["their_post"].pk, 999999):
        assert client.delete(f"{API}/posts/{pk}/").status_code == 403


def test_an_editor_lists_only_their_own_and_assigned_posts_and_accounts(world, client_for):
    client = client_for(world["users"]["Editor"])

    posts = {row["id"] for row in client.get(f"{API}/posts/").json()["results"]}
    accounts = {row["id"] for row in client.get(f"{API}/accounts/").json()["results"]}

    assert posts == {world["my_post"].pk, world["assigned_post"].pk}
    assert accounts == {world["my_account"].pk}
    assert client.get(f"{API}/accounts/{world['their_account'].pk}/").status_code == 404
    assert client.get(f"{API}/posts/{world['their_post'].pk}/snapshots/").status_code == 404


def test_a_manager_approves_any_editors_trial_in_bulk(world):
    client = key_client(world["users"]["Manager"])
    assert (
        client.post(
            f"{API}/posts/approve/", {"ids": [world["their_post"].pk]}, format="json"
        ).json()["approved"]
        == 1
    )


def test_an_editor_adding_a_post_sees_it(world):
    response = key_client(world["users"]["Editor"]).post(
        f"{API}/posts/", {"url": REEL}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["added_by"] == world["users"]["Editor"].pk


def test_an_editor_adding_another_editors_post_gets_409_already_tracked_not_its_data(world):
    response = key_client(world["users"]["Editor"]).post(
        f"{API}/posts/", {"url": world["their_post"].url}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_tracked"
    assert str(world["their_post"].pk) not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "sees_personal"),
    [("Owner", True), ("Manager", True), ("Finance", True), ("Analyst", False)],
)
def test_finance_personal_data_is_hidden_from_analysts(world, role, sees_personal):
    client = key_client(world["users"][role])

    item = client.get(f"{API}/finance/items/{world['item'].pk}/").json()
    listed = client.get(f"{API}/finance/items/").json()["results"][0]

    for answer in (item, listed):
        assert ("phone_number" in answer) is sees_personal
        assert ("payment_details" in answer) is sees_personal
        assert answer["code"] == world["item"].code


@pytest.mark.parametrize(
    ("role", "sees_personal"),
    [("Owner", True), ("Finance", True), ("Analyst", False)],
)
def test_how_a_statement_was_paid_is_hidden_from_analysts_in_the_api_and_the_export(
    world, role, sees_personal
):
    client = key_client(world["users"][role])
    statement = world["statement"]

    answer = client.get(f"{API}/finance/statements/{statement.pk}/").json()
    export = client.get(
        f"{API}/finance/statements/export.csv", {"month": f"{statement.month:%Y-%m}"}
    ).content.decode()

    assert answer["id"] == statement.pk
    assert ("payment_method" in answer) is sees_personal
    assert ("payment_reference" in answer) is sees_personal
    header = export.splitlines()[0].split(",")
    assert "amount_due" in header
    assert ("payment_method" in header) is sees_personal
    assert ("payment_reference" in header) is sees_personal


def test_read_only_key_of_an_owner_cannot_write(world):
    client = key_client(world["users"]["Owner"], scopes=["read"])
    assert client.get(f"{API}/posts/").status_code == 200
    assert client.post(f"{API}/posts/", {"url": REEL}, format="json").status_code == 403


def test_revoked_and_expired_keys_are_refused(world):
    owner = world["users"]["Owner"]
    revoked, raw_revoked = api_key_create(user=owner, name="old")
    api_key_revoke(key=revoked)
    expiring, raw_expired = api_key_create(
        user=owner, name="short", expires_at=timezone.now() + timedelta(seconds=5)
    )
    type(expiring).objects.filter(pk=expiring.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert with_key(raw_revoked).get(f"{API}/posts/").status_code == 401
    assert with_key(raw_expired).get(f"{API}/posts/").status_code == 401


def test_a_user_without_a_role_may_not_use_the_api(db):
    nobody = UserFactory(roles=[])
    assert key_client(nobody).get(f"{API}/posts/").status_code == 403
    assert session(nobody).get(f"{API}/posts/").status_code == 403


# --- The admin --------------------------------------------------------------------------------

ADMIN_PAGES = [
    ("admin:posts_post_changelist", [], ROLES),
    ("admin:creators_account_changelist", [], ROLES),
    ("admin:finance_financeitem_changelist", [], ["Owner", "Manager", "Finance", "Analyst"]),
    ("admin:finance_payoutstatement_changelist", [], ["Owner", "Manager", "Finance", "Analyst"]),
    ("admin:auth_user_changelist", [], ["Owner"]),
    ("admin:auth_group_changelist", [], ["Owner"]),
    ("admin:posts_post_add", [], ["Owner", "Manager", "Editor"]),
    ("admin:creators_account_add", [], ["Owner", "Manager"]),
    ("admin:finance_financeitem_add", [], ["Owner", "Finance"]),
    ("admin:settings_app_client_add", [], ["Owner"]),
    ("admin:posts_boards", [], ["Owner", "Manager", "Finance", "Analyst"]),
    # Every staff role; an editor's figures are its own accounts' (analytics.queries).
    ("admin:analytics_dashboard", [], ROLES),
    # Every role may ask; the tools answer from the asker's own rows (tests/analytics).
    ("admin:analytics_ask", [], ROLES),
    ("admin:publishing_scheduledpost_changelist", [], ["Owner", "Manager", "Editor", "Analyst"]),
    ("admin:publishing_publishtarget_changelist", [], ["Owner", "Manager", "Editor", "Analyst"]),
    ("admin:publishing_socialconnection_changelist", [], ["Owner", "Manager", "Editor", "Analyst"]),
    ("admin:analytics_best_time", [], ROLES),
    ("admin:analytics_audience", [], ["Owner", "Manager", "Analyst"]),
    ("admin:analytics_mentions", [], ["Owner", "Manager", "Analyst"]),
    ("admin:analytics_report_changelist", [], ["Owner", "Manager", "Editor", "Analyst"]),
    ("admin:analytics_report_generate", [], ["Owner", "Manager", "Editor"]),
    ("admin:analytics_reportschedule_changelist", [], ["Owner", "Manager", "Analyst"]),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "allowed"), ADMIN_PAGES, ids=lambda v: str(v)[:40])
def test_the_admin_shows_each_role_what_its_role_allows(client, world, role, name, args, allowed):
    client.force_login(world["users"][role])
    response = client.get(reverse(name, args=args))
    assert response.status_code == (200 if role in allowed else 403), (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_managers_decide_trials_in_the_admin(client, world, role):
    client.force_login(world["users"][role])
    post = world["my_post"]

    response = client.post(reverse("admin:posts_trial_board"), {"approve_one": post.pk})

    post.refresh_from_db()
    if role in ("Owner", "Manager"):
        assert response.status_code == 302
        assert post.trial_status == TrialStatus.APPROVED
    else:
        assert response.status_code == 403
        assert post.trial_status == TrialStatus.PENDING


def test_an_editor_sees_only_their_posts_in_the_admin(client, world):
    client.force_login(world["users"]["Editor"])

    mine = client.get(reverse("admin:posts_post_change", args=[world["my_post"].pk]))
    theirs = client.get(reverse("admin:posts_post_change", args=[world["their_post"].pk]))
    account = client.get(reverse("admin:creators_account_change", args=[world["their_account"].pk]))
    board = client.get(reverse("admin:posts_trial_board")).content.decode()

    assert mine.status_code == 200
    # The admin answers an object outside the queryset as a missing one: back to the index.
    assert theirs.status_code == 302 and account.status_code == 302
    assert world["their_post"].url not in board


def test_an_analyst_sees_finance_items_without_personal_data_in_the_admin(client, world):
    client.force_login(world["users"]["Analyst"])

    page = client.get(reverse("admin:finance_financeitem_change", args=[world["item"].pk]))
    listing = client.get(reverse("admin:finance_financeitem_changelist"))

    assert page.status_code == 200 and listing.status_code == 200
    for html in (page.content.decode(), listing.content.decode()):
        assert "555 0100" not in html
        assert "IBAN" not in html
    assert 'name="code"' not in page.content.decode()  # read-only


def test_finance_sees_the_personal_data_in_the_admin(client, world):
    client.force_login(world["users"]["Finance"])
    page = client.get(reverse("admin:finance_financeitem_change", args=[world["item"].pk]))
    assert "555 0100" in page.content.decode()


def test_the_roles_are_assignable_in_the_admin(client, world):
    client.force_login(world["users"]["Owner"])
    html = client.get(reverse("admin:index")).content.decode()
    assert "Users &amp; Roles" in html
    group_list = client.get(reverse("admin:auth_group_changelist")).content.decode()
    for role in ROLES:
        assert role in group_list


@pytest.mark.parametrize("role", ROLES)
def test_the_api_docs_answer_every_role(world, role):
    assert session(world["users"][role]).get("/api/schema/").status_code == 200


# --- Publishing's and workflow's admin pages, the Creator role included ---------------------

ADMIN_ROLES = [*ROLES, "Creator"]
EVERYONE = ADMIN_ROLES
WORKERS = ["Owner", "Manager", "Editor", "Analyst"]


@pytest.fixture
def pages_world(world, creator_login):
    """The world, plus a creator's login whose task the Editor is assigned to, in a campaign
    shared with another creator; notifications for the creator's login."""
    user, creator = creator_login("maya")
    world["users"]["Creator"] = user
    campaign = CampaignFactory()
    DeliverableFactory(campaign=campaign, creator=creator, quantity=1)
    DeliverableFactory(campaign=campaign, creator=CreatorFactory(), quantity=2)
    shared = task_make(creator=creator, campaign=campaign, assignee=world["users"]["Editor"])
    return {**world, "shared_task": shared, "shared_campaign": campaign, "maya": creator}


# (url name, object of the world or None, roles that open it; the others get a clean 403)
WORK_PAGES = [
    ("admin:publishing_calendar", None, WORKERS),
    ("admin:publishing_composer", None, ["Owner", "Manager", "Editor"]),
    ("admin:publishing_import", None, ["Owner", "Manager", "Editor"]),
    ("admin:publishing_media_library", None, [*WORKERS, "Creator"]),
    ("admin:publishing_connections", None, WORKERS),
    ("admin:workflow_contenttask_board", None, [*WORKERS, "Creator"]),
    ("admin:workflow_contenttask_changelist", None, [*WORKERS, "Creator"]),
    ("admin:workflow_contenttask_change", "shared_task", [*WORKERS, "Creator"]),
    ("admin:workflow_campaign_changelist", None, [*WORKERS, "Creator"]),
    ("admin:workflow_campaign_change", "shared_campaign", [*WORKERS, "Creator"]),
    ("admin:workflow_reviewlink_changelist", None, ["Owner", "Manager", "Analyst"]),
    ("admin:creators_creator_changelist", None, ["Owner", "Manager", "Creator"]),
    ("admin:creators_creator_change", "maya", ["Owner", "Manager", "Creator"]),
    ("admin:notifications_notification_changelist", None, EVERYONE),
    ("admin:notifications_preferences", None, EVERYONE),
]


def _admin_links(html: str) -> set[str]:
    import re

    return {
        href.replace("&amp;", "&")
        for href in re.findall(r'href="(/admin/[^"#]*)"', html)
        if not href.startswith("/admin/logout")
    }


@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize(("name", "obj", "allowed"), WORK_PAGES, ids=lambda v: str(v)[:40])
def test_each_work_page_opens_for_its_roles_and_links_nothing_they_may_not_open(
    client, pages_world, role, name, obj, allowed
):
    client.force_login(pages_world["users"][role])
    url = reverse(name, args=[pages_world[obj].pk] if obj else [])

    response = client.get(url)

    if role not in allowed:
        assert response.status_code == 403, (role, name, response.status_code)
        assert b"Traceback" not in response.content
        return
    assert response.status_code == 200, (role, name, response.status_code)
    refused = [
        link
        for link in _admin_links(response.content.decode())
        if client.get(link).status_code == 403
    ]
    assert refused == [], (role, name)


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_no_menu_entry_links_a_page_that_answers_403(client, pages_world, role):
    client.force_login(pages_world["users"][role])
    index = client.get(reverse("admin:index")).content.decode()

    links = _admin_links(index)

    assert links, role
    assert [link for link in links if client.get(link).status_code == 403] == [], role


def test_a_creators_login_reads_only_its_own_work_pages(client, pages_world):
    client.force_login(pages_world["users"]["Creator"])
    other_creator = CreatorFactory(display_name="Olga Other")

    # Another's task, campaign or creator page: the admin answers "no such object" (back to
    # the index), never its content.
    for name, obj in [
        ("admin:workflow_contenttask_change", pages_world["task"]),
        ("admin:workflow_campaign_change", pages_world["campaign"]),
        ("admin:creators_creator_change", other_creator),
    ]:
        response = client.get(reverse(name, args=[obj.pk]))
        assert response.status_code == 302, name
    board = client.get(reverse("admin:workflow_contenttask_board")).content.decode()
    campaign = client.get(
        reverse("admin:workflow_campaign_change", args=[pages_world["shared_campaign"].pk])
    ).content.decode()
    assert pages_world["shared_task"].title in board
    assert pages_world["task"].title not in board or pages_world["task"].title == (
        pages_world["shared_task"].title
    )
    assert "Progress: 0 of 1 delivered" in campaign  # its own unit, not the other creator's
