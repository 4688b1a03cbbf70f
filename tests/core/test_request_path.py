"""The fixed cost of a request: serializer fields and FilterSet forms are built once per
class, and every request still gets its own, never another request's."""

import django_filters
import pytest
from rest_framework import serializers

from core.api.serializers import FastListSerializer
from finance.api.serializers import FinanceItemSerializer
from posts.api.serializers import PostSerializer
from posts.filters import PostFilterSet
from posts.models import Post
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_serializer_fields_are_built_once_per_class(monkeypatch):
    built = []
    original = serializers.ModelSerializer.get_fields

    def counting(self):
        built.append(type(self))
        return original(self)

    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", counting)
    PostSerializer().fields  # noqa: B018 - may build it if no request did yet
    built.clear()

    for _ in range(3):
        PostSerializer().fields  # noqa: B018

    assert built == []


def test_two_serializers_never_share_a_field():
    first, second = PostSerializer(), PostSerializer()

    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other
        assert field.parent is first and other.parent is second
    tags = first.fields["subcategory_names"]
    assert tags.child_relation is not second.fields["subcategory_names"].child_relation
    assert tags.child_relation.root is first


def test_fields_hidden_from_one_user_stay_shown_to_another(rf):
    analyst, owner = UserFactory(roles=["Analyst"]), UserFactory(roles=["Owner"])

    def fields_for(user):
        request = rf.get("/")
        request.user = user
        return set(FinanceItemSerializer(context={"request": request}).fields)

    hidden = fields_for(analyst)
    shown = fields_for(owner)

    assert "payment_details" in shown and "payment_details" not in hidden
    assert fields_for(owner) == shown  # hiding for the analyst changed nothing for the owner


def test_each_filterset_has_its_own_filters_calling_their_own_filterset():
    first = PostFilterSet({"search": "anna"}, queryset=Post.objects.all())
    second = PostFilterSet({"search": "bob"}, queryset=Post.objects.all())

    assert first.filters["search"] is not second.filters["search"]
    assert first.filters["search"].parent is first
    assert first.is_valid() and second.is_valid()
    assert "anna" in str(first.qs.query) and "bob" in str(second.qs.query)
    assert type(first.form) is type(second.form) and first.form is not second.form


def test_a_filters_rows_are_read_afresh_by_each_filterset():
    from tests.settings_app.factories import ClientFactory

    ClientFactory(name="Before")
    first = PostFilterSet({}, queryset=Post.objects.all())
    assert [c.name for c in first.filters["client"].get_queryset(None)] == ["Before"]

    ClientFactory(name="After")
    second = PostFilterSet({}, queryset=Post.objects.all())

    assert {c.name for c in second.filters["client"].get_queryset(None)} == {"Before", "After"}


def test_a_bad_filter_value_answers_400_naming_it_between_good_requests(staff):
    from tests.posts.factories import PostFactory
    from tests.utils import key_client

    PostFactory(views=10)
    client = key_client(staff)

    assert client.get("/api/v1/posts/?views_min=5").status_code == 200
    refused = client.get("/api/v1/posts/?views_min=many")
    assert refused.status_code == 400
    assert "views" in refused.data["error"]["fields"]
    assert len(client.get("/api/v1/posts/?views_min=5").data["results"]) == 1


def test_two_requests_with_different_filters_share_no_state(staff):
    from tests.posts.factories import PostFactory
    from tests.settings_app.factories import ClientFactory
    from tests.utils import key_client

    mine, theirs = ClientFactory(), ClientFactory()
    PostFactory(client=mine), PostFactory(client=theirs)
    client = key_client(staff)

    first = client.get(f"/api/v1/posts/?client={mine.pk}")
    everything = client.get("/api/v1/posts/")
    newcomer = ClientFactory()
    PostFactory(client=newcomer)
    # A client added since is a valid choice: each form reads the clients afresh.
    latest = client.get(f"/api/v1/posts/?client={newcomer.pk}")

    assert [p["client"] for p in first.data["results"]] == [mine.pk]
    assert len(everything.data["results"]) == 2
    assert latest.status_code == 200
    assert [p["client"] for p in latest.data["results"]] == [newcomer.pk]


def test_two_filter_forms_never_share_a_field_widget_or_rows():
    first = PostFilterSet({"board": ["1"]}, queryset=Post.objects.all()).form
    second = PostFilterSet({}, queryset=Post.objects.all()).form

    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other and field.widget is not other.widget
        assert field.widget.attrs is not other.widget.attrs
    assert first.fields["board"].queryset is not second.fields["board"].queryset
    # Each widget's choices read its own field's rows.
    assert first.fields["board"].widget.choices.field is first.fields["board"]
    first.fields["views"].widget.attrs["class"] = "changed"
    assert (
        "class"
        not in PostFilterSet({}, queryset=Post.objects.all()).form.fields["views"].widget.attrs
    )


def test_a_fast_lists_writers_are_compiled_once_per_class(monkeypatch):
    from core.api import serializers as core_serializers
    from tests.posts.factories import PostFactory

    posts = [PostFactory(), PostFactory()]
    first = PostSerializer(posts, many=True).data  # may compile them if no request did yet
    compiled = []
    original = core_serializers._writer
    monkeypatch.setattr(
        core_serializers, "_writer", lambda *a: compiled.append(a[0]) or original(*a)
    )

    again = PostSerializer(posts, many=True).data

    assert compiled == []
    assert [dict(row) for row in again] == [dict(row) for row in first]


class _WhoAsksSerializer(serializers.ModelSerializer):
    """A list whose answer depends on the request: a method field and fields kept by role."""

    asked_by = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "username", "asked_by"]
        list_serializer_class = FastListSerializer

    def get_asked_by(self, obj):
        return self.context["request"].user.username

    def get_fields(self):
        fields = super().get_fields()
        if not self.context["request"].user.is_superuser:
            fields.pop("username")
        return fields


def test_a_fast_list_whose_fields_depend_on_the_request_answers_each_request_its_own(rf):
    from tests.posts.factories import PostFactory

    posts = [PostFactory(username="someone")]

    def rows_for(user):
        request = rf.get("/")
        request.user = user
        return [
            dict(r) for r in _WhoAsksSerializer(posts, many=True, context={"request": request}).data
        ]

    boss = UserFactory(username="boss", is_superuser=True)
    clerk = UserFactory(username="clerk", roles=["Analyst"])

    assert rows_for(boss) == [{"id": posts[0].pk, "username": "someone", "asked_by": "boss"}]
    assert rows_for(clerk) == [{"id": posts[0].pk, "asked_by": "clerk"}]
    assert rows_for(boss)[0]["asked_by"] == "boss"


class _TrimmedInInitSerializer(serializers.ModelSerializer):
    """Value fields only, but one of them dropped in __init__ when the view asks for less."""

    class Meta:
        model = Post
        fields = ["id", "username"]
        list_serializer_class = FastListSerializer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.context.get("brief"):
            self.fields.pop("username")


def test_a_fast_list_trimmed_in_init_is_not_shared_between_requests():
    from tests.posts.factories import PostFactory

    posts = [PostFactory(username="someone")]

    def rows(**context):
        serializer = _TrimmedInInitSerializer(posts, many=True, context=context)
        return [dict(r) for r in serializer.data]

    assert rows(brief=True) == [{"id": posts[0].pk}]
    assert rows() == [{"id": posts[0].pk, "username": "someone"}]
    assert rows(brief=True) == [{"id": posts[0].pk}]


@pytest.mark.parametrize(
    "query",
    ["views_min=\u0661\u0662", "is_trial=\u0661", "post_date_after=\u0662\u0660\u0662\u0666-01-01"],
)
def test_a_filter_in_other_digits_is_refused_and_the_next_request_is_not(staff, query):
    from tests.posts.factories import PostFactory
    from tests.utils import key_client

    PostFactory(views=20)
    client = key_client(staff)

    refused = client.get(f"/api/v1/posts/?{query}")
    unfiltered = client.get("/api/v1/posts/")

    assert refused.status_code == 400
    assert (
        query.split("=")[0].removesuffix("_min").removesuffix("_after")
        in refused.data["error"]["fields"]
    )
    assert len(unfiltered.data["results"]) == 1


def test_a_fast_list_of_plain_rows_writes_them_as_drf_does(settings):
    from datetime import UTC, datetime

    from creators.api.serializers import AccountHistoryPointSerializer

    settings.TIME_ZONE = "Europe/Paris"
    rows = [
        {
            "bucket": datetime(2026, 3, 1, tzinfo=UTC),
            "captured_last": datetime(2026, 3, 1, 21, 0, 0, 123456, tzinfo=UTC),
            "last_followers": 1_300,
            "last_following": None,
            "last_media_count": 7,
            "gained": -20,
        }
    ]

    fast = AccountHistoryPointSerializer(rows, many=True)
    one_by_one = [AccountHistoryPointSerializer(row).data for row in rows]

    assert isinstance(fast, FastListSerializer)
    assert [dict(r) for r in fast.data] == [dict(r) for r in one_by_one]
    assert fast.data[0]["bucket"] == "2026-03-01T01:00:00+01:00"
    assert fast.data[0]["following"] is None


def _filtering_only(filterset_class, query: str):
    from django.http import QueryDict

    filterset = filterset_class(
        QueryDict(query), queryset=filterset_class._meta.model.objects.all()
    )
    filterset.only_named_filters = True
    return filterset


@pytest.mark.parametrize(
    "query",
    [
        "",
        "views_min=5",
        "views_min=5&views_max=9&platform=tiktok",
        "post_date_after=2026-01-01T00:00:00Z",
        "ordering=-views&search=anna",
        "board=1&detected=true&unknown=3",
    ],
)
def test_filtering_with_only_the_named_filters_gives_the_same_rows_and_order(query):
    from django.http import QueryDict

    narrow = _filtering_only(PostFilterSet, query)
    full = PostFilterSet(QueryDict(query), queryset=Post.objects.all())

    assert narrow.is_valid() == full.is_valid()
    assert str(narrow.qs.query) == str(full.qs.query)
    assert len(narrow.form.fields) < len(full.form.fields)


def _copies_made_by(staff, monkeypatch, copier: str, path: str) -> list:
    """What core.filters' `copier` copied during the API request `path` (one post listed)."""
    from core import filters as core_filters
    from tests.posts.factories import PostFactory
    from tests.utils import key_client

    PostFactory(views=10, platform="instagram")
    client = key_client(staff)
    client.get("/api/v1/posts/")  # the first request of a class learns which filters to skip
    copied = []
    original = getattr(core_filters, copier)
    monkeypatch.setattr(core_filters, copier, lambda item: copied.append(item) or original(item))

    response = client.get(path)

    assert len(response.data["results"]) == 1
    return copied


def test_an_api_list_copies_and_cleans_only_the_filters_it_names(staff, monkeypatch):
    path = "/api/v1/posts/?is_trial=false&platform=instagram"
    copied = _copies_made_by(staff, monkeypatch, "_form_field_copy", path)

    assert {type(field).__name__ for field in copied} == {
        "StrictNullBooleanField",
        "MultipleChoiceField",
    }


def test_the_browsable_api_still_draws_every_filter(staff):
    from tests.utils import key_client

    page = key_client(staff).get("/api/v1/posts/?views_min=5", HTTP_ACCEPT="text/html")

    html = page.content.decode()
    assert 'name="views_min"' in html and 'value="5"' in html
    for other in ('name="post_date_after"', 'name="is_trial"', 'name="ordering"'):
        assert other in html


class _TrialsUnlessAskedFilter(django_filters.BooleanFilter):
    """Without a value, only trial reels: its absence filters something."""

    def filter(self, qs, value):
        return qs.filter(is_trial=True) if value is None else qs.filter(is_trial=value)


class _DefaultingFilterSet(PostFilterSet):
    trials = _TrialsUnlessAskedFilter()
    required_user = django_filters.CharFilter(field_name="username", required=True)


def test_a_filter_whose_absence_filters_something_is_applied_even_when_not_named():
    from posts.choices import TrialStatus
    from tests.posts.factories import PostFactory

    trial = PostFactory(is_trial=True, trial_status=TrialStatus.PENDING, username="anna")
    PostFactory(username="anna")

    named = _filtering_only(_DefaultingFilterSet, "required_user=anna")
    unnamed_required = _filtering_only(_DefaultingFilterSet, "platform=instagram")

    assert named.is_valid()
    assert list(named.qs) == [trial]
    assert "trials" in named.form.fields
    assert not unnamed_required.is_valid()
    assert "required_user" in unnamed_required.errors


def test_a_list_filtered_by_its_views_fields_builds_its_filterset_once(staff):
    # A view with `filterset_fields` (clients): django-filter would build a new FilterSet
    # class per request, and every per-class cache would keep one more class each time
    # (memory growing in a long-running worker).
    from core import filters
    from tests.settings_app.factories import ClientFactory
    from tests.utils import key_client

    ClientFactory(name="Active", is_active=True)
    ClientFactory(name="Gone", is_active=False)
    client = key_client(staff)
    client.get("/api/v1/clients/?is_active=true")
    cached = len(filters._FORM_CLASSES)

    for _ in range(5):
        answer = client.get("/api/v1/clients/?is_active=true")
        assert [c["name"] for c in answer.data["results"]] == ["Active"]
    assert client.get("/api/v1/clients/?is_active=maybe").status_code == 400

    assert len(filters._FORM_CLASSES) == cached


def test_an_api_list_copies_only_the_filters_it_uses(staff, monkeypatch):
    path = "/api/v1/posts/?platform=instagram"
    copied = _copies_made_by(staff, monkeypatch, "_filter_copy", path)

    assert [type(filter_).__name__ for filter_ in copied] == ["MultipleChoiceFilter"]


def test_a_filtersets_filters_read_one_by_one_or_all_are_the_same_copies_in_order():
    filterset = PostFilterSet({"search": "anna"}, queryset=Post.objects.all())
    search = filterset.filters["search"]

    assert "platform" in filterset.filters and "nothing" not in filterset.filters
    assert filterset.filters.get("nothing") is None
    assert list(filterset.filters) == list(PostFilterSet.base_filters)
    assert filterset.filters["search"] is search  # not copied a second time
    assert all(f.parent is filterset for f in filterset.filters.values())
    assert all(f is not PostFilterSet.base_filters[name] for name, f in filterset.filters.items())
    del filterset.filters["search"]
    assert (
        "search" not in filterset.filters
        and len(filterset.filters) == len(PostFilterSet.base_filters) - 1
    )
    filterset.filters["search"] = search  # set by hand: after the class's filters
    assert list(filterset.filters)[-1] == "search" and filterset.filters["search"] is search
