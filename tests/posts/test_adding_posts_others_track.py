"""Adding by URL a post that is already tracked but not among the caller's posts (another
editor's): the answer says "already tracked" and nothing more, the same through the API (one or
many) and the admin (one or many), never its id, link or data. Posts the caller can see are
answered with their id, as before."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import ConflictError
from posts.models import Post
from posts.services.adding import post_add, post_bulk_add
from tests.posts.factories import PostFactory
from tests.settings_app.factories import EditorFactory, UserFactory
from tests.utils import key_client

POSTS = "/api/v1/posts/"
BULK = "/api/v1/posts/bulk/"
ALREADY_TRACKED = (
    "This post is already tracked, but it is not among the posts you can see: nothing was changed."
)


@pytest.fixture
def editors(db):
    me, other = UserFactory(username="me", roles=["Editor"]), UserFactory(roles=["Editor"])
    mine = PostFactory(post_id="MinePost01", editor=EditorFactory(user=me))
    theirs = PostFactory(post_id="TheirPost1", editor=EditorFactory(user=other), caption="secret")
    return {"me": me, "mine": mine, "theirs": theirs}


def _admin_url(post) -> str:
    return reverse("admin:posts_post_change", args=[post.pk])


def test_adding_another_editors_post_answers_409_already_tracked_without_the_post(editors):
    theirs = editors["theirs"]

    response = key_client(editors["me"]).post(POSTS, {"url": theirs.url}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "already_tracked",
            "message": ALREADY_TRACKED,
            "fields": {"url": [ALREADY_TRACKED]},
        }
    }
    theirs.refresh_from_db()
    assert theirs.added_by is None and Post.objects.count() == 2


def test_adding_ones_own_post_again_still_answers_200_with_it(editors):
    response = key_client(editors["me"]).post(POSTS, {"url": editors["mine"].url}, format="json")

    assert response.status_code == 200
    assert response.json()["id"] == editors["mine"].pk


def test_bulk_adding_another_editors_post_says_exists_without_its_id(editors):
    mine, theirs = editors["mine"], editors["theirs"]

    response = key_client(editors["me"]).post(BULK, {"urls": [theirs.url, mine.url]}, format="json")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"url": theirs.url, "status": "exists", "id": None, "error": ""},
        {"url": mine.url, "status": "exists", "id": mine.pk, "error": ""},
    ]
    assert response.json()["exists"] == 2


def test_the_admin_add_page_says_already_tracked_without_a_link(client, editors):
    client.force_login(editors["me"])

    response = client.post(reverse("admin:posts_post_add"), {"url": editors["theirs"].url})

    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["url"] == [ALREADY_TRACKED]
    assert _admin_url(editors["theirs"]) not in response.content.decode()


def test_the_admin_bulk_add_says_already_there_without_a_link(client, editors):
    mine, theirs = editors["mine"], editors["theirs"]
    client.force_login(editors["me"])

    response = client.post(
        reverse("admin:posts_post_bulk_add"), {"urls": f"{theirs.url}\n{mine.url}"}
    )

    rows = response.context["results"]
    assert [(row["status"], row["obj_url"]) for row in rows] == [
        ("exists", ""),
        ("exists", _admin_url(mine)),
    ]
    assert _admin_url(theirs) not in response.content.decode()


def test_the_services_hide_the_post_from_the_caller_only(editors):
    theirs = editors["theirs"]

    (hidden,) = post_bulk_add(urls=[theirs.url], added_by=editors["me"])
    (shown,) = post_bulk_add(urls=[theirs.url])  # jobs and scripts: nobody to hide it from

    assert (hidden.status, hidden.obj) == ("exists", None)
    assert shown.obj == theirs
    with pytest.raises(ConflictError) as refused:
        post_add(url=theirs.url, added_by=editors["me"])
    assert refused.value.code == "already_tracked"


def test_the_api_docs_show_the_409_and_the_id_missing_from_bulk_results(staff):
    client = APIClient()
    client.force_login(staff)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for path in ("/api/v1/posts/", "/api/v1/accounts/"):
        conflict = schema["paths"][path]["post"]["responses"]["409"]
        assert "already_tracked" in conflict["description"]
        assert conflict["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {
        "code",
        "fields",
        "message",
    }
    result_id = schema["components"]["schemas"]["AddResult"]["properties"]["id"]
    assert result_id["nullable"] is True
    assert "your role does not show you" in result_id["description"]


def test_losing_the_race_to_another_editors_add_answers_exists_without_the_post(
    editors, monkeypatch
):
    """Another request adds the post between our lookup and our insert: our insert is skipped,
    the row is theirs, so it is "exists" (hidden), not "created" with their id."""
    from posts.services import adding

    theirs = editors["theirs"]
    lookup = adding.posts_by_key
    calls = []

    def first_lookup_misses(keys):
        calls.append(keys)
        return {} if len(calls) == 1 else lookup(keys)

    monkeypatch.setattr(adding, "posts_by_key", first_lookup_misses)

    (result,) = post_bulk_add(urls=[theirs.url], added_by=editors["me"])

    assert result.status == "exists" and result.obj is None
    assert Post.objects.count() == 2
