"""Inputs that answered 500 (issue 14): each is now a 4xx naming what is wrong in the API, and
no 500 in the admin (a refused filter is ignored with a warning, as any bad filter)."""

import base64
import json

import pytest
from django.test import override_settings

from core.api.pagination import encode_cursor
from core.pagination import bounded_count
from posts.choices import TrialStatus
from posts.models import Post
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import ClientFactory

pytestmark = pytest.mark.django_db

OFFSET_MESSAGE = "Enter a valid date/time: the UTC offset must be between -15:59 and +15:59."
UNSTORABLE_TEXT = (
    "Text must not contain NUL characters (\\u0000) or unpaired surrogates (\\ud800 to \\udfff)."
)


def error_of(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def ignored_filters(response) -> list[str]:
    """The changelist's warnings about filters it ignored."""
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    return [text for text in messages if text.startswith("Some filters were ignored")]


# --- 1. UTC offsets PostgreSQL refuses, in every datetime filter ------------------------------


@pytest.mark.parametrize("offset", ["+22:57", "-16:00"])
@pytest.mark.parametrize(
    "path, parameter, field",
    [
        ("/api/v1/posts/", "added_date_before", "added_date"),
        ("/api/v1/posts/", "post_date_after", "post_date"),
        ("/api/v1/posts/", "detected_at_after", "detected_at"),
        ("/api/v1/posts/{post}/snapshots/", "captured_at_after", "captured_at"),
        ("/api/v1/accounts/{account}/snapshots/", "captured_at_before", "captured_at"),
    ],
)
def test_a_utc_offset_of_16_hours_or_more_is_refused_naming_the_filter(
    api, offset, path, parameter, field
):
    url = path.format(post=PostFactory().pk, account=AccountFactory().pk)

    error = error_of(api.get(url, {parameter: f"2026-03-03T17:37:33{offset}"}))

    assert error["fields"] == {field: [OFFSET_MESSAGE]}


def test_an_offset_postgresql_takes_still_filters(api):
    PostFactory(added_date="2026-03-03T00:00:00+00:00")

    response = api.get("/api/v1/posts/", {"added_date_before": "2026-03-03T17:37:33+15:59"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_moment_outside_years_1_to_9999_in_utc_is_refused(api, moment):
    error = error_of(api.get("/api/v1/posts/", {"added_date_after": moment}))

    assert error["fields"] == {
        "added_date": ["Enter a date/time between the years 1 and 9999 (in UTC)."]
    }


def test_the_admin_ignores_a_bad_offset_with_a_warning(superuser_client):
    PostFactory()

    response = superuser_client.get(
        "/admin/posts/post/", {"added_date_before": "2026-03-03T17:37:33+22:57"}
    )

    assert ignored_filters(response) == [
        f"Some filters were ignored — added_date: {OFFSET_MESSAGE}"
    ]
    assert response.context["cl"].result_count == 1


# --- 2. Empty sort terms ---------------------------------------------------------------------


@pytest.mark.parametrize("ordering", [",", ",,,"])
@pytest.mark.parametrize("path", ["/api/v1/posts/", "/api/v1/accounts/"])
def test_empty_sort_terms_are_ignored(api, path, ordering):
    AccountFactory()
    PostFactory()

    response = api.get(path, {"ordering": ordering})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_sort_term_beside_empty_ones_still_sorts(api):
    low, high = PostFactory(views=10), PostFactory(views=20)

    response = api.get("/api/v1/posts/", {"ordering": "-views,,"})

    assert [row["id"] for row in response.json()["results"]] == [high.pk, low.pk]


@pytest.mark.parametrize("path", ["/admin/posts/post/", "/admin/creators/account/"])
def test_the_admin_lists_take_empty_sort_terms(superuser_client, path):
    AccountFactory()
    PostFactory()

    response = superuser_client.get(path, {"ordering": ",,"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


# --- 3. Pages past any offset ---------------------------------------------------------------


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999999"])
@pytest.mark.parametrize("path", ["/api/v1/posts/", "/api/v1/accounts/", "/api/v1/clients/"])
def test_a_page_past_the_end_is_invalid_however_large(api, path, page):
    PostFactory()
    AccountFactory()
    ClientFactory()

    error = error_of(api.get(path, {"page": page}), 404)

    assert error == {"code": "not_found", "message": "Invalid page.", "fields": {}}


@pytest.mark.parametrize("path", ["/admin/posts/post/", "/admin/creators/account/"])
def test_the_admin_answers_a_huge_page_number(superuser_client, path):
    PostFactory()
    AccountFactory()

    response = superuser_client.get(path, {"p": "9223372036854775807"})

    assert response.status_code == 200


# --- 4. History buckets at the ends of the calendar -------------------------------------------


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
@pytest.mark.parametrize("owner", ["posts", "accounts"])
def test_a_history_ending_in_the_last_day_of_year_9999_is_refused(api, owner, granularity):
    post = PostFactory()
    PostSnapshotFactory(post=post)
    account = AccountFactory()
    AccountSnapshotFactory(account=account)
    owner_id = post.pk if owner == "posts" else account.pk

    error = error_of(
        api.get(
            f"/api/v1/{owner}/{owner_id}/snapshots/",
            {"granularity": granularity, "end": "9999-12-31T23:59:59"},
        )
    )

    assert error["fields"] == {
        "end": ["Out of range: the bucket and the next one must lie in years 1 to 9999."]
    }


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_a_history_from_year_1_lists_every_point(api, granularity):
    post = PostFactory()
    PostSnapshotFactory(post=post)

    response = api.get(
        f"/api/v1/posts/{post.pk}/snapshots/",
        {"granularity": granularity, "start": "0001-01-01T00:00:00Z"},
    )

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


# --- 5. NUL characters and unpaired surrogates --------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"extra": {"a": "\\u0000"}}',
        '{"extra": {"\\u0000": 1}}',
        '{"extra": {"a": "\\ud800"}}',
        '{"extra": {"\\udfff": [1]}}',
    ],
)
@pytest.mark.parametrize("owner", ["posts", "accounts"])
def test_extra_with_text_no_database_stores_is_refused(api, owner, body):
    row = PostFactory() if owner == "posts" else AccountFactory()

    response = api.patch(f"/api/v1/{owner}/{row.pk}/", body, content_type="application/json")

    assert error_of(response)["fields"] == {"extra": [UNSTORABLE_TEXT]}
    row.refresh_from_db()
    assert row.extra == {}


def test_a_surrogate_in_any_field_of_a_body_is_refused(api):
    response = api.post(
        "/api/v1/clients/", '{"name": "Acme \\ud83d"}', content_type="application/json"
    )

    assert error_of(response)["fields"] == {"name": [UNSTORABLE_TEXT]}


def test_a_surrogate_pair_is_text_like_any_other(api):
    post = PostFactory()

    response = api.patch(
        f"/api/v1/posts/{post.pk}/",
        '{"extra": {"a": "\\ud83d\\ude00"}}',
        content_type="application/json",
    )

    assert response.status_code == 200
    post.refresh_from_db()
    assert post.extra == {"a": "😀"}


@pytest.mark.parametrize("extra", ['{"a": "\\u0000"}', '{"\\ud800": 1}'])
def test_the_admin_refuses_extra_with_text_no_database_stores(superuser_client, extra):
    post = PostFactory()

    response = superuser_client.post(
        f"/admin/posts/post/{post.pk}/change/", {"type": post.type or "", "extra": extra}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"extra": [UNSTORABLE_TEXT]}
    post.refresh_from_db()
    assert post.extra == {}


# --- 6. Deeply nested JSON ---------------------------------------------------------------------


TOO_DEEP = "JSON must not be nested more than 32 levels deep."


def nested_extra(depth: int) -> str:
    """A body whose `extra` is `depth` objects one in another (the body itself is one more)."""
    return '{"extra": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_body_nested_deeper_than_python_decodes_is_refused(api, depth):
    post = PostFactory()

    response = api.patch(
        f"/api/v1/posts/{post.pk}/", nested_extra(depth), content_type="application/json"
    )

    assert error_of(response) == {
        "code": "parse_error",
        "message": f"JSON parse error - {TOO_DEEP}",
        "fields": {},
    }


def test_a_field_nested_past_32_levels_is_refused_naming_it(api):
    post = PostFactory()

    response = api.patch(
        f"/api/v1/posts/{post.pk}/", nested_extra(32), content_type="application/json"
    )

    assert error_of(response)["fields"] == {"extra": [TOO_DEEP]}


def test_a_field_nested_31_levels_is_stored(api):
    post = PostFactory()

    response = api.patch(
        f"/api/v1/posts/{post.pk}/", nested_extra(31), content_type="application/json"
    )

    assert response.status_code == 200, response.json()


def test_the_admin_refuses_extra_nested_too_deep(superuser_client):
    post = PostFactory()

    response = superuser_client.post(
        f"/admin/posts/post/{post.pk}/change/",
        {"type": post.type or "", "extra": "[" * 2_000 + "]" * 2_000},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"extra": [TOO_DEEP]}


# --- 7. Numbers the columns cannot hold -------------------------------------------------------


@pytest.mark.parametrize("value", ["1e400", "-1e400", "99999999999999999999999"])
@pytest.mark.parametrize(
    "path, parameter, field",
    [
        ("/api/v1/posts/", "views_min", "views"),
        ("/api/v1/posts/", "likes_max", "likes"),
        ("/api/v1/posts/", "engagement_rate_min", "engagement_rate"),
        ("/api/v1/accounts/", "followers_min", "followers"),
    ],
)
def test_a_number_past_64_bits_is_refused_naming_the_filter(api, path, parameter, field, value):
    error = error_of(api.get(path, {parameter: value}))

    # A count is a whole number (so 1e400 is no count); a rate is bounded.
    assert error["fields"] in (
        {field: ["Enter a whole number."]},
        {field: ["Enter a number between -9223372036854775807 and 9223372036854775807."]},
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_number_that_is_no_number_is_refused(api, value):
    error = error_of(api.get("/api/v1/posts/", {"views_min": value}))

    assert error["fields"] == {"views": ["Enter a whole number."]}


def test_a_number_with_thousands_of_decimal_places_is_refused(api):
    error = error_of(api.get("/api/v1/posts/", {"engagement_rate_min": "1e-20000"}))

    assert error["fields"] == {
        "engagement_rate": ["Enter a number with at most 100 decimal places."]
    }


def test_minus_zero_is_zero(api):
    PostFactory(views=0)

    response = api.get("/api/v1/posts/", {"views_min": "-0"})

    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    "path, parameter",
    [("/admin/posts/post/", "views_min"), ("/admin/creators/account/", "followers_min")],
)
def test_the_admin_ignores_a_number_past_64_bits_with_a_warning(superuser_client, path, parameter):
    PostFactory()
    AccountFactory()

    response = superuser_client.get(path, {parameter: "1e400"})

    (warning,) = ignored_filters(response)
    assert "Enter a whole number" in warning
    assert response.context["cl"].result_count == 1


@pytest.mark.postgresql_only
def test_the_estimated_count_of_a_filter_proved_empty_is_zero():
    # Django runs no query (nor EXPLAIN) for a bigint compared with 2^70.
    PostFactory()

    assert bounded_count(Post.objects.filter(views__gte=2**70), limit=0) == (0, True)


# --- Forged cursors ---------------------------------------------------------------------------


def forged_cursor(values: list) -> str:
    raw = json.dumps({"after": values}).encode("utf-8", "surrogatepass")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "ordering, values",
    [
        ("-added_date", ["2026-03-03T17:37:33+22:57", 1]),
        ("-added_date", ["9999-12-31T23:59:59-01:00", 1]),
        ("-engagement_rate", ["1e-20000", 1]),
        ("-views", [99999999999999999999999, 1]),
        ("username", ["\u0000", 1]),
        ("username", ["a\ud800", 1]),
    ],
)
def test_a_forged_cursor_is_an_invalid_cursor(api, ordering, values):
    PostFactory()

    response = api.get("/api/v1/posts/", {"ordering": ordering, "cursor": forged_cursor(values)})

    assert error_of(response)["fields"] == {
        "cursor": ["Invalid cursor: use the next or previous link of a page."]
    }


def test_a_real_cursor_still_pages(api):
    first, second = PostFactory(views=2), PostFactory(views=1)
    cursor = encode_cursor([2, first.pk])

    response = api.get("/api/v1/posts/", {"ordering": "-views", "cursor": cursor})

    assert [row["id"] for row in response.json()["results"]] == [second.pk]


# --- 8. Bodies over the size limit ------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
def test_a_body_over_the_limit_is_a_json_413(api):
    body = json.dumps({"urls": ["https://www.tiktok.com/@a/video/1"] * 100})

    response = api.post("/api/v1/posts/bulk/", body, content_type="application/json")

    assert response["Content-Type"] == "application/json"
    assert error_of(response, 413) == {
        "code": "request_too_large",
        "message": "The request body is larger than the limit of 1000\xa0bytes; "
        "send less at a time.",
        "fields": {},
    }


def test_a_6_mb_body_is_a_json_413_naming_the_5_mb_limit(api):
    body = json.dumps({"urls": ["x" * 100] * 60_000})

    response = api.post("/api/v1/posts/bulk/", body, content_type="application/json")

    assert error_of(response, 413)["message"] == (
        "The request body is larger than the limit of 5.0\xa0MB; send less at a time."
    )


def test_the_admin_answers_a_6_mb_form_with_a_400(superuser_client):
    response = superuser_client.post("/admin/posts/post/add/", {"url": "x" * 6_000_000})

    assert response.status_code == 400


# --- 9. Booleans and page sizes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path, parameter",
    [
        ("/api/v1/posts/", "is_trial"),
        ("/api/v1/posts/", "detected"),
        ("/api/v1/accounts/", "tracking_enabled"),
        ("/api/v1/clients/", "is_active"),
        ("/api/v1/editors/", "is_active"),
        ("/api/v1/finance/items/", "is_active"),
        ("/api/v1/finance/items/", "prorate_by_volume"),
    ],
)
def test_a_yes_no_filter_refuses_anything_but_true_or_false(api, path, parameter):
    error = error_of(api.get(path, {parameter: "maybe"}))

    assert error["fields"] == {parameter: ["Enter true or false."]}


@pytest.mark.parametrize(
    "value, is_trial",
    [("true", True), ("True", True), ("1", True), ("false", False), ("False", False), ("0", False)],
)
def test_a_yes_no_filter_takes_the_usual_spellings(api, value, is_trial):
    PostFactory(is_trial=True, trial_status=TrialStatus.PENDING)
    PostFactory(is_trial=False)

    response = api.get("/api/v1/posts/", {"is_trial": value})

    assert [row["is_trial"] for row in response.json()["results"]] == [is_trial]


def test_a_blank_yes_no_filter_filters_nothing(api):
    PostFactory(is_trial=True, trial_status=TrialStatus.PENDING)
    PostFactory(is_trial=False)

    response = api.get("/api/v1/posts/", {"is_trial": ""})

    assert response.json()["count"] == 2


def test_the_admin_ignores_a_yes_no_filter_it_cannot_read_with_a_warning(superuser_client):
    PostFactory(is_trial=True, trial_status=TrialStatus.PENDING)
    PostFactory(is_trial=False)

    response = superuser_client.get("/admin/posts/post/", {"is_trial": "maybe"})

    assert ignored_filters(response) == [
        "Some filters were ignored — is_trial: Enter true or false."
    ]
    assert response.context["cl"].result_count == 2


@pytest.mark.parametrize("page_size", ["-5", "0", "abc", "1.5", "１０"])
@pytest.mark.parametrize("path", ["/api/v1/posts/", "/api/v1/accounts/", "/api/v1/clients/"])
def test_a_page_size_that_is_no_positive_whole_number_is_refused(api, path, page_size):
    error = error_of(api.get(path, {"page_size": page_size}))

    assert error["fields"] == {"page_size": ["Enter a whole number from 1 to 500."]}


def test_a_request_with_too_many_parameters_is_a_json_400(api):
    fields = "&".join(["x=1"] * 1_001)

    response = api.get(f"/api/v1/clients/?{fields}")

    assert error_of(response) == {
        "code": "too_many_fields",
        "message": "The request has more than 1000 parameters or fields; send fewer at a time.",
        "fields": {},
    }


def test_the_admin_refuses_a_nul_character_in_a_text_field(superuser_client):
    response = superuser_client.post(
        "/admin/settings_app/client/add/", {"name": "Acme\x00", "is_active": "on"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "name": ["Null characters are not allowed."]
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"views_min": "１０００"}, "views"),
        ({"added_date_after": "２０２６-01-01T00:00:00Z"}, "added_date"),
        ({"views_min": "0.5"}, "views"),
        ({"is_trial": "2"}, "is_trial"),
    ],
)
def test_a_number_date_or_yes_no_filter_takes_plain_ascii_values_only(api, query, field):
    error = error_of(api.get("/api/v1/posts/", query))

    assert field in error["fields"]
