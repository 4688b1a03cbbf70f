"""One pass over the tracked accounts visits each account at most once, even when an account
is due again as soon as it was visited (DETECT_MIN_INTERVAL_MINUTES=0,
ACCOUNT_REFRESH_HOURS=0)."""

import pytest

from creators.services.tracking import account_detect_new_posts_due, account_refresh_due
from platforms.providers.base import PostRef, TemporaryError
from tests.creators.factories import AccountFactory
from tests.operations import fakes

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings, monkeypatch):
    settings.DETECT_MIN_INTERVAL_MINUTES = 0
    settings.ACCOUNT_REFRESH_HOURS = 0
    return fakes.install(settings, monkeypatch)


def test_a_detection_pass_with_no_minimum_interval_asks_each_account_once(fake):
    for name in ("alice", "bob", "carol"):
        AccountFactory(username=name)
        fake.recent[name] = [
            PostRef("instagram", f"{name}1", f"https://www.instagram.com/p/{name}1/")
        ]
    fake.recent["carol"] = TemporaryError("503")  # a failing account is not asked again either

    report = account_detect_new_posts_due(batch_size=1, time_budget=3)

    assert sorted(fake.calls) == [("recent", "alice"), ("recent", "bob"), ("recent", "carol")]
    assert (report.ok, report.failed, report.created) == (2, 1, 2)


def test_a_profile_pass_due_again_at_once_asks_each_account_once(fake):
    for name in ("alice", "bob"):
        AccountFactory(username=name)
        fake.profiles[name] = fakes.profile_stats(name)

    account_refresh_due(batch_size=1, time_budget=3)

    assert sorted(fake.calls) == [("profile", "alice"), ("profile", "bob")]
