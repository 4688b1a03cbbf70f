"""Clients, editors, boards and the taxonomy: full CRUD with clear validation errors."""

import pytest

from posts.models import Post
from settings_app.models import Board, Category, Client, Editor, Subcategory
from tests.posts.factories import PostFactory
from tests.settings_app.factories import (
    BoardFactory,
    CategoryFactory,
    ClientFactory,
    EditorFactory,
    SubcategoryFactory,
    UserFactory,
)

# The same life cycle for every kind of reference data.
CRUD_CASES = [
    ("clients", Client, {"name": "Acme", "notes": "Retainer"}, {"is_active": False}),
    ("editors", Editor, {"name": "Jo", "email": "jo@agency.test"}, {"name": "Joanna"}),
    ("boards", Board, {"name": "Clipping", "slug": "clipping"}, {"name": "Clipping team"}),
    ("categories", Category, {"name": "Fitness", "description": "Gym"}, {"description": ""}),
]


@pytest.mark.parametrize(("path", "model", "payload", "change"), CRUD_CASES)
def test_reference_data_can_be_created_listed_read_changed_and_deleted(
    api, path, model, payload, change
):
    Category.objects.all().delete()  # the default taxonomy (settings_app migration 0002)
    url = f"/api/v1/{path}/"

    created = api.post(url, payload)
    assert created.status_code == 201, created.data
    detail = f"{url}{created.data['id']}/"
    assert {k: created.data[k] for k in payload} == payload

    assert [row["id"] for row in api.get(url).data["results"]] == [created.data["id"]]
    assert api.get(detail).data["id"] == created.data["id"]

    changed = api.patch(detail, change)
    assert changed.status_code == 200, changed.data
    obj = model.objects.get(pk=created.data["id"])
    assert {k: getattr(obj, k) for k in change} == change

    assert api.delete(detail).status_code == 204
    assert not model.objects.exists()


def test_a_client_name_is_unique_whatever_the_case(api):
    ClientFactory(name="Acme")

    response = api.post("/api/v1/clients/", {"name": "ACME"})

    assert response.status_code == 400
    assert response.data["error"]["message"] == "A client with this name already exists."
    assert Client.objects.count() == 1


def test_renaming_a_client_to_an_existing_name_answers_400(api):
    ClientFactory(name="Acme")
    other = ClientFactory(name="Globex")

    response = api.patch(f"/api/v1/clients/{other.pk}/", {"name": "acme"})

    assert response.status_code == 400
    assert "already exists" in response.data["error"]["message"]
    other.refresh_from_db()
    assert other.name == "Globex"


def test_an_editor_name_is_unique_whatever_the_case(api):
    EditorFactory(name="Jo")

    response = api.post("/api/v1/editors/", {"name": "jo"})

    assert response.status_code == 400
    assert response.data["error"]["message"] == "An editor with this name already exists."


def test_an_editor_can_be_linked_to_a_login_user_once(api):
    user = UserFactory()

    first = api.post("/api/v1/editors/", {"name": "Jo", "user": user.pk})
    second = api.post("/api/v1/editors/", {"name": "Sam", "user": user.pk})

    assert first.status_code == 201
    assert second.status_code == 400
    assert "user" in second.data["error"]["fields"]


@pytest.mark.parametrize(
    ("path", "existing", "payload", "field"),
    [
        (
            "boards",
            {"name": "Finance", "slug": "finance"},
            {"name": "Finance", "slug": "x"},
            "name",
        ),
        (
            "boards",
            {"name": "Finance", "slug": "finance"},
            {"name": "Y", "slug": "finance"},
            "slug",
        ),
        ("categories", {"name": "Fitness"}, {"name": "Fitness"}, "name"),
    ],
)
def test_a_duplicate_unique_name_answers_400_naming_the_field(api, path, existing, payload, field):
    factory = {"boards": BoardFactory, "categories": CategoryFactory}[path]
    factory(**existing)

    response = api.post(f"/api/v1/{path}/", payload)

    assert response.status_code == 400
    assert "already exists" in response.data["error"]["fields"][field][0]


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("clients", {}, "name"),
        ("clients", {"name": "x" * 201}, "name"),
        ("editors", {"name": "Jo", "email": "not-an-email"}, "email"),
        ("editors", {"name": "Jo", "user": 987654}, "user"),
        ("boards", {"name": "Finance", "slug": "not a slug"}, "slug"),
        ("subcategories", {"name": "Yoga", "category": "abc"}, "category"),
        ("clients", {"name": "Acme", "id": 5}, "id"),
        ("clients", {"name": "Acme", "colour": "red"}, "colour"),
    ],
)
def test_invalid_reference_data_answers_400_naming_the_field(api, path, payload, field):
    response = api.post(f"/api/v1/{path}/", payload)

    assert response.status_code == 400
    assert field in response.data["error"]["fields"]


def test_a_category_lists_its_subcategories(api):
    category = CategoryFactory(name="Fitness")
    yoga = SubcategoryFactory(category=category, name="Yoga")

    data = api.get(f"/api/v1/categories/{category.pk}/").data

    assert data["subcategories"] == [{"id": yoga.pk, "name": "Yoga"}]


def test_a_subcategory_is_created_under_its_category(api):
    Category.objects.all().delete()  # the default taxonomy (settings_app migration 0002)
    category = CategoryFactory(name="Fitness")

    response = api.post("/api/v1/subcategories/", {"category": category.pk, "name": "Yoga"})

    assert response.status_code == 201
    assert response.data["category_name"] == "Fitness"
    assert Subcategory.objects.get().category == category


def test_a_subcategory_can_be_renamed_moved_and_deleted(api):
    Category.objects.all().delete()  # the default taxonomy (settings_app migration 0002)
    yoga, other_category = SubcategoryFactory(name="Yoga"), CategoryFactory()
    url = f"/api/v1/subcategories/{yoga.pk}/"

    response = api.patch(url, {"name": "Hot yoga", "category": other_category.pk})

    assert response.status_code == 200, response.data
    yoga.refresh_from_db()
    assert (yoga.name, yoga.category) == ("Hot yoga", other_category)
    assert api.delete(url).status_code == 204
    assert not Subcategory.objects.exists()


def test_a_category_cannot_have_two_subcategories_of_the_same_name(api):
    yoga = SubcategoryFactory(name="Yoga")

    response = api.post("/api/v1/subcategories/", {"category": yoga.category_id, "name": "Yoga"})

    assert response.status_code == 400
    assert (
        response.data["error"]["message"]
        == "This category already has a sub-category with this name."
    )


def test_two_categories_may_each_have_a_subcategory_of_the_same_name(api):
    SubcategoryFactory(name="Beginners")

    response = api.post(
        "/api/v1/subcategories/", {"category": CategoryFactory().pk, "name": "Beginners"}
    )

    assert response.status_code == 201


def test_subcategories_filter_by_category(api):
    wanted = SubcategoryFactory()
    SubcategoryFactory()

    response = api.get("/api/v1/subcategories/", {"category": wanted.category_id})

    assert [s["id"] for s in response.data["results"]] == [wanted.pk]


def test_clients_filter_by_active_flag(api):
    active = ClientFactory()
    ClientFactory(is_active=False)

    response = api.get("/api/v1/clients/", {"is_active": "true"})

    assert [c["id"] for c in response.data["results"]] == [active.pk]


def test_deleting_a_category_used_by_posts_keeps_the_posts_unclassified(api):
    category = CategoryFactory()
    post = PostFactory(category=category)

    response = api.delete(f"/api/v1/categories/{category.pk}/")

    assert response.status_code == 204
    post.refresh_from_db()
    assert post.category is None


def test_deleting_a_client_keeps_its_posts(api):
    client = ClientFactory()
    post = PostFactory(client=client)

    assert api.delete(f"/api/v1/clients/{client.pk}/").status_code == 204
    assert Post.objects.get(pk=post.pk).client is None


def test_an_unknown_client_answers_404(api):
    response = api.patch("/api/v1/clients/987654/", {"name": "X"})

    assert response.status_code == 404
    assert response.data["error"]["code"] == "not_found"
