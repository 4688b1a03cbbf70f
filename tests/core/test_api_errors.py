"""Every API error is JSON {"error": {"code", "message", "fields"}}; nothing malformed is a 500."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions

from core.api.errors import exception_handler
from core.errors import DomainError, NotFoundError


def handled(exc) -> tuple[int, dict]:
    response = exception_handler(exc, {})
    return response.status_code, response.data


def test_a_domain_error_is_a_400_with_its_code_message_and_fields():
    status, data = handled(
        DomainError("Pick another month.", code="closed_month", fields={"month": ["Closed."]})
    )

    assert status == 400
    assert data == {
        "error": {
            "code": "closed_month",
            "message": "Pick another month.",
            "fields": {"month": ["Closed."]},
        }
    }


def test_a_not_found_error_is_a_404():
    status, data = handled(NotFoundError("No such statement."))

    assert status == 404
    assert data["error"]["code"] == "not_found"


def test_a_model_validation_error_keeps_field_errors_and_puts_model_wide_ones_in_the_message():
    exc = DjangoValidationError(
        {NON_FIELD_ERRORS: ["Only videos have a reel style."], "type": ["Not a valid choice."]}
    )

    status, data = handled(exc)

    assert status == 400
    assert data["error"]["fields"] == {"type": ["Not a valid choice."]}
    assert "Only videos have a reel style." in data["error"]["message"]


def test_a_plain_django_validation_error_is_a_400_without_fields():
    status, data = handled(DjangoValidationError("Nope."))

    assert (status, data["error"]["message"], data["error"]["fields"]) == (400, "Nope.", {})


def test_a_serializer_validation_error_names_the_first_problem_in_the_message():
    exc = exceptions.ValidationError({"url": ["This field is required."]})

    status, data = handled(exc)

    assert status == 400
    assert data["error"] == {
        "code": "invalid",
        "message": "url: This field is required.",
        "fields": {"url": ["This field is required."]},
    }


def test_a_list_validation_error_becomes_the_message():
    status, data = handled(exceptions.ValidationError(["Send either urls or text."]))

    assert (status, data["error"]["message"], data["error"]["fields"]) == (
        400,
        "Send either urls or text.",
        {},
    )


def test_an_unexpected_exception_is_left_to_django_as_a_bug():
    assert exception_handler(ZeroDivisionError(), {}) is None


# Through HTTP


def test_malformed_json_answers_400(api):
    response = api.post("/api/v1/clients/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_an_unsupported_content_type_answers_415(api):
    response = api.post("/api/v1/clients/", data="name=x", content_type="text/csv")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_a_method_that_is_not_offered_answers_405(api):
    response = api.delete("/api/v1/posts/")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_json_body_that_is_not_an_object_answers_400(api):
    response = api.post("/api/v1/posts/", data=["https://www.instagram.com/p/X/"], format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/posts/?post_date_after=notadate",
        "/api/v1/posts/?views_min=lots",
        "/api/v1/posts/?client=abc",
        "/api/v1/accounts/?followers_max=x",
        "/api/v1/accounts/?board=999999",
        "/api/v1/subcategories/?category=abc",
        "/api/v1/editors/?user=abc",
    ],
)
def test_a_bad_filter_answers_400_with_the_error_shape(api, path):
    response = api.get(path)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"]
    assert error["fields"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/posts/?page=abc", "/api/v1/posts/?page=0", "/api/v1/accounts/?page=5"],
)
def test_a_page_that_does_not_exist_answers_404_with_the_error_shape(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "Invalid page.",
        "fields": {},
    }


def test_a_page_size_above_the_maximum_is_cut_to_the_maximum(api):
    response = api.get("/api/v1/posts/", {"page_size": "99999999999999999999"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/posts/abc/",
        "/api/v1/accounts/1.5/",
        "/api/v1/clients/99999999999999999999/",
        "/api/v1/no-such-thing/",
        "/api/v1/",
    ],
)
def test_a_non_integer_id_or_unknown_path_answers_404_with_the_error_shape(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_path_without_its_trailing_slash_is_redirected(api):
    response = api.get("/api/v1/posts")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/posts/"


def test_a_unique_constraint_lost_to_a_concurrent_request_answers_409_not_500():
    from django.db import IntegrityError

    from core.api.errors import exception_handler

    response = exception_handler(IntegrityError("duplicate key value"), {})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "conflict"
    assert "try again" in response.data["error"]["message"]
