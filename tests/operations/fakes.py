"""An in-process provider for tests: it answers from dicts the test controls, or raises the
typed error the test put there. Registered through settings, so the real chain code runs."""

import contextlib
import os
import time
from pathlib import Path

from platforms import ratelimit
from platforms.providers import registry
from platforms.providers.base import (
    Capabilities,
    PostRef,
    PostResult,
    PostStats,
    ProfileRef,
    ProfileStats,
    Provider,
    ProviderError,
)

PLATFORMS = frozenset({"instagram", "tiktok", "youtube"})


class FakeProvider(Provider):
    name = "fake"
    capabilities = Capabilities(posts=PLATFORMS, profiles=PLATFORMS, recent_posts=PLATFORMS)
    batch_size = 50

    # What the "platform" answers, keyed by post id / username. Reset by install().
    posts: dict[str, PostStats | ProviderError] = {}
    profiles: dict[str, ProfileStats | ProviderError] = {}
    recent: dict[str, list | ProviderError] = {}
    calls: list[tuple[str, object]] = []

    def fetch_posts(self, refs: list[PostRef]) -> list[PostResult]:
        self.calls.append(("posts", [ref.post_id for ref in refs]))
        results = []
        for ref in refs:
            answer = self.posts.get(ref.post_id)
            if answer is None:
                answer = ProviderError(f"The fake has no answer for {ref.post_id}.")
            if isinstance(answer, ProviderError):
                results.append(PostResult(ref=ref, error=answer))
            else:
                results.append(PostResult(ref=ref, stats=answer))
        return results

    def fetch_profile(self, ref: ProfileRef) -> ProfileStats:
        self.calls.append(("profile", ref.username))
        return self._answer(self.profiles, ref.username)

    def list_recent_posts(self, ref: ProfileRef, limit: int) -> list[PostStats | PostRef]:
        self.calls.append(("recent", ref.username))
        return self._answer(self.recent, ref.username)[:limit]

    @staticmethod
    def _answer(answers: dict, key: str):
        answer = answers.get(key)
        if answer is None:
            raise ProviderError(f"The fake has no answer for {key}.")
        if isinstance(answer, ProviderError):
            raise answer
        return answer


def install(settings, monkeypatch) -> type[FakeProvider]:
    """Make the fake the only provider of every platform; returns the class to fill."""
    settings.PROVIDER_CLASSES = {"fake": "tests.operations.fakes.FakeProvider"}
    settings.PLATFORM_PROVIDERS = {platform: ["fake"] for platform in PLATFORMS}
    registry.clear_cache()
    # The shared rate limiter is not under test here: a fake 429 must not pause "fake" for
    # the next tests.
    monkeypatch.setattr(ratelimit, "before_call", lambda provider, cost=1: None)
    monkeypatch.setattr(ratelimit, "after_error", lambda provider, error: None)
    FakeProvider.posts, FakeProvider.profiles, FakeProvider.recent = {}, {}, {}
    FakeProvider.calls = []
    return FakeProvider


def post_stats(post_id: str, *, platform: str = "instagram", **fields) -> PostStats:
    defaults = {"views": 1000, "likes": 100, "comments": 10, "shares": None, "source": "fake"}
    return PostStats(platform=platform, post_id=post_id, **{**defaults, **fields})


def profile_stats(username: str, *, platform: str = "instagram", **fields) -> ProfileStats:
    defaults = {"followers": 5000, "following": 50, "media_count": 120, "source": "fake"}
    return ProfileStats(platform=platform, username=username, **{**defaults, **fields})


class SlowProvider(FakeProvider):
    """For a real worker in a subprocess (tests.operations.worker_settings): answers every
    post after SLOW_PROVIDER_SECONDS, having written its process id to SLOW_PROVIDER_PIDFILE
    (so a test knows which worker to kill mid-batch)."""

    name = "slow_fake"
    batch_size = 1000

    def fetch_posts(self, refs: list[PostRef]) -> list[PostResult]:
        Path(os.environ["SLOW_PROVIDER_PIDFILE"]).write_text(str(os.getpid()))
        time.sleep(float(os.environ["SLOW_PROVIDER_SECONDS"]))
        return [PostResult(ref=ref, stats=post_stats(ref.post_id)) for ref in refs]


def task_that_outlives_its_timeout(seconds: float = 120) -> None:
    """A task django-q2's timeout cannot end (it swallows the timeout's exception), as a
    worker stuck in a call that does not return."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(BaseException):  # django-q2's TimeoutException included
            time.sleep(deadline - time.monotonic())
