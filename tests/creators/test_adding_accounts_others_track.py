"""Adding by URL an account that is already tracked but not among the caller's accounts: as for
posts, the answer says "already tracked" and never which account it is.

No default role may add accounts without seeing them all, so the caller here is a user given
`add_account` without `view_all_account` (a custom role an Owner may build)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.creators.factories import AccountFactory
from tests.settings_app.factories import EditorFactory, UserFactory
from tests.utils import key_client

ACCOUNTS = "/api/v1/accounts/"
BULK = "/api/v1/accounts/bulk/"
ALREADY_TRACKED = (
    "This account is already tracked, but it is not among the accounts you can see: "
    "nothing was changed."
)


@pytest.fixture
def scoped(db):
    me = UserFactory(username="scoped", roles=[])
    me.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="creators", codename__in=["view_account", "add_account"]
        )
    )
    mine = AccountFactory(username="mine.account", editor=EditorFactory(user=me))
    theirs = AccountFactory(username="their.account", editor=EditorFactory(user=UserFactory()))
    return {"me": me, "mine": mine, "theirs": theirs}


def test_adding_an_account_one_cannot_see_answers_409_already_tracked(scoped):
    response = key_client(scoped["me"]).post(ACCOUNTS, {"url": scoped["theirs"].url})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "already_tracked",
        "message": ALREADY_TRACKED,
        "fields": {"url": [ALREADY_TRACKED]},
    }


def test_adding_ones_own_account_again_answers_200_with_it(scoped):
    response = key_client(scoped["me"]).post(ACCOUNTS, {"url": scoped["mine"].url})

    assert response.status_code == 200
    assert response.json()["id"] == scoped["mine"].pk


def test_bulk_adding_an_account_one_cannot_see_says_exists_without_its_id(scoped):
    mine, theirs = scoped["mine"], scoped["theirs"]

    response = key_client(scoped["me"]).post(BULK, {"urls": [theirs.url, mine.url]}, format="json")

    assert response.status_code == 200
    assert [(r["status"], r["id"]) for r in response.json()["results"]] == [
        ("exists", None),
        ("exists", mine.pk),
    ]


def test_the_admin_says_already_tracked_without_a_link(client, scoped):
    theirs = scoped["theirs"]
    client.force_login(scoped["me"])

    one = client.post(reverse("admin:creators_account_add"), {"url": theirs.url})
    many = client.post(reverse("admin:creators_account_bulk_add"), {"urls": theirs.url})

    link = reverse("admin:creators_account_change", args=[theirs.pk])
    assert one.context["adminform"].form.errors["url"] == [ALREADY_TRACKED]
    assert [(row["status"], row["obj_url"]) for row in many.context["results"]] == [("exists", "")]
    assert link not in one.content.decode() and link not in many.content.decode()
