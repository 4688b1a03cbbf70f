"""`category` and `subcategory` accept a name as well as an id: API, admin and FilterSet."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse

from posts.filters import PostFilterSet
from posts.models import Post
from tests.posts.factories import PostFactory
from tests.settings_app.factories import CategoryFactory, SubcategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    fitness, food = CategoryFactory(name="Fitness"), CategoryFactory(name="Food")
    home = SubcategoryFactory(category=fitness, name="Home workouts")
    vegan = SubcategoryFactory(category=food, name="Vegan")
    workout = PostFactory(category=fitness)
    workout.subcategories.add(home)
    recipe = PostFactory(category=food)
    recipe.subcategories.add(vegan)
    return {"workout": workout, "recipe": recipe, "fitness": fitness, "vegan": vegan}


def filterset(params: dict) -> PostFilterSet:
    data = QueryDict(urlencode(params, doseq=True))
    return PostFilterSet(data, queryset=Post.objects.all())


def test_category_accepts_a_name_in_any_case_or_an_id(posts):
    by_name = filterset({"category": "fitness"})
    mixed = filterset({"category": ["Food", str(posts["fitness"].pk)]})

    assert by_name.is_valid(), by_name.errors
    assert list(by_name.qs) == [posts["workout"]]
    assert set(mixed.qs) == {posts["workout"], posts["recipe"]}


def test_subcategory_accepts_a_name(posts):
    result = filterset({"subcategory": "Home workouts"})

    assert result.is_valid(), result.errors
    assert list(result.qs) == [posts["workout"]]


def test_an_unknown_name_is_refused_with_its_name(posts):
    result = filterset({"category": "Knitting"})

    assert not result.is_valid()
    assert "Knitting" in str(result.errors["category"])


def test_the_api_filters_by_category_and_subcategory_names(api, posts):
    by_category = api.get("/api/v1/posts/", {"category": "Food"})
    by_subcategory = api.get("/api/v1/posts/", {"subcategory": "vegan"})
    unknown = api.get("/api/v1/posts/", {"subcategory": "Knitting"})

    assert [p["id"] for p in by_category.data["results"]] == [posts["recipe"].pk]
    assert [p["id"] for p in by_subcategory.data["results"]] == [posts["recipe"].pk]
    assert unknown.status_code == 400


def test_the_admin_filters_by_a_category_name(superuser_client, posts):
    response = superuser_client.get(reverse("admin:posts_post_changelist"), {"category": "Food"})

    content = response.content.decode()
    assert reverse("admin:posts_post_change", args=[posts["recipe"].pk]) in content
    assert reverse("admin:posts_post_change", args=[posts["workout"].pk]) not in content
