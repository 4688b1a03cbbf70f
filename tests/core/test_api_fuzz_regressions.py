"""Inputs schemathesis found breaking the API (.ci/schemathesis); each must stay a 4xx."""

import pytest

from tests.utils import key_client

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/posts/?assignee={HUGE}",
        f"/api/v1/posts/?client={HUGE}",
        f"/api/v1/posts/?account={HUGE}",
        f"/api/v1/accounts/?editor={HUGE}",
    ],
)
def test_an_id_past_64_bits_is_a_400_or_nothing_found(staff, url):
    response = key_client(staff).get(url)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["error"]["code"] == "invalid"
