"""`manage.py fetch` asks every provider and shows its answer; `manage.py refresh` runs a pass."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operations.models import JobRun, JobStatus
from platforms.providers.base import PostRef, Private, RateLimited
from posts.models import PostSnapshot
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


class UnconfiguredProvider(fakes.FakeProvider):
    name = "unconfigured"

    def is_configured(self) -> bool:
        return False


@pytest.fixture
def fake(settings, monkeypatch):
    fake = fakes.install(settings, monkeypatch)
    settings.PROVIDER_CLASSES = {
        **settings.PROVIDER_CLASSES,
        "unconfigured": "tests.operations.test_commands.UnconfiguredProvider",
    }
    settings.PLATFORM_PROVIDERS = {
        **settings.PLATFORM_PROVIDERS,
        "instagram": ["unconfigured", "fake"],
    }
    return fake


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_fetch_shows_what_each_provider_of_the_chain_answers_for_a_post(fake):
    fake.posts["CxYz123"] = fakes.post_stats("CxYz123", views=4321, caption="Hello")

    out = run("fetch", "https://instagram.com/reel/CxYz123/?igsh=abc")

    assert "instagram post: https://www.instagram.com/p/CxYz123/" in out
    assert "unconfigured (posts)\n  not configured (missing credentials)" in out
    assert "views: 4321" in out
    assert "caption: Hello" in out
    assert not PostSnapshot.objects.exists()


def test_fetch_shows_a_providers_error(fake):
    fake.posts["CxYz123"] = RateLimited("Too many requests", retry_after=60)

    out = run("fetch", "https://www.instagram.com/p/CxYz123/")

    assert "RateLimited: Too many requests" in out


def test_fetch_shows_a_profile_and_its_recent_posts(fake):
    fake.profiles["alice"] = fakes.profile_stats("alice", followers=777)
    fake.recent["alice"] = [
        PostRef(platform="instagram", post_id="P1", url="https://www.instagram.com/p/P1/")
    ]

    out = run("fetch", "https://www.instagram.com/alice/", "--recent", "5")

    assert "followers: 777" in out
    assert "1 recent post(s)" in out
    assert "P1" in out


def test_fetch_shows_a_private_profile_as_such(fake):
    fake.profiles["alice"] = Private("This account is private")

    assert "Private: This account is private" in run("fetch", "https://www.instagram.com/alice/")


def test_fetch_refuses_an_unsupported_url(fake):
    with pytest.raises(CommandError, match="Not a supported URL"):
        run("fetch", "https://example.com/p/1/")


def test_refresh_due_runs_one_pass_with_progress_and_records_it(fake, settings):
    settings.REFRESH_BATCH_SIZE = 2
    for index in range(3):
        PostFactory(post_id=f"P{index}")
        fake.posts[f"P{index}"] = fakes.post_stats(f"P{index}")

    out = run("refresh", "--due")

    assert "batch 1: 2 ok, 0 failed" in out
    assert "batch 2: 1 ok, 0 failed (total 3 ok, 0 failed)" in out
    assert PostSnapshot.objects.count() == 3
    run_row = JobRun.objects.get()
    assert (run_row.job, run_row.status, run_row.items_ok) == (
        "refresh_post_stats",
        JobStatus.SUCCEEDED,
        3,
    )


def test_refresh_accounts_and_detect_run_their_jobs(fake):
    AccountFactory(username="alice")
    fake.profiles["alice"] = fakes.profile_stats("alice")
    fake.recent["alice"] = [
        PostRef(platform="instagram", post_id="P1", url="https://www.instagram.com/p/P1/")
    ]

    out = run("refresh", "--accounts", "--detect")

    assert "refresh_account_stats:" in out
    assert "detect_new_posts:" in out
    assert "1 new post(s)" in out
    assert sorted(JobRun.objects.values_list("job", flat=True)) == [
        "detect_new_posts",
        "refresh_account_stats",
    ]


def test_refresh_without_a_choice_says_what_to_choose():
    with pytest.raises(CommandError, match="--due"):
        run("refresh")


def test_refresh_with_nothing_due_says_so(fake):
    assert "nothing due" in run("refresh", "--due")
