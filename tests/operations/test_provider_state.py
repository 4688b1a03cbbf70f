"""Provider state is honest (issue 16): a provider without credentials is "not configured", a
success is recorded only when a call succeeded, and a platform without a working provider is
named in a banner on the posts and accounts pages and in the problems."""

import pytest

from platforms import ratelimit
from platforms.providers import chain, registry
from platforms.providers.base import Capabilities, PostRef, PostResult, Provider, TemporaryError

pytestmark = pytest.mark.django_db


class EveryFetchFails(Provider):
    """Like yt-dlp when YouTube blocks it: an answer per post, each an error."""

    name = "broken"
    capabilities = Capabilities.everything_on("youtube")
    batch_size = 10

    def fetch_posts(self, refs: list[PostRef]) -> list[PostResult]:
        return [PostResult(ref=ref, error=TemporaryError("Sign in to confirm")) for ref in refs]


@pytest.fixture
def providers(settings):
    settings.YOUTUBE_API_KEY = ""
    settings.PROVIDER_CLASSES = {
        "youtube_api": "platforms.providers.youtube_api.YouTubeAPIProvider",
        "broken": f"{__name__}.EveryFetchFails",
        "ytdlp": "platforms.providers.ytdlp.YtDlpProvider",
    }
    settings.PLATFORM_PROVIDERS = {
        "youtube": ["youtube_api", "broken"],
        "instagram": ["ytdlp"],
        "tiktok": ["ytdlp"],
    }
    registry.clear_cache()
    yield
    registry.clear_cache()


def _state(name):
    return next(p for p in ratelimit.provider_states() if p["provider"] == name)


def test_a_provider_without_credentials_is_not_configured(providers):
    assert _state("youtube_api")["state"] == "not configured"
    assert _state("youtube_api")["configured"] is False
    assert _state("ytdlp")["state"] == "not used yet"


def test_a_batch_where_every_post_failed_is_no_success(providers):
    results = chain.fetch_posts([PostRef(platform="youtube", post_id="abcdefghijk", url="u")])

    assert results[0].error is not None
    state = _state("broken")
    assert state["last_success_at"] is None
    assert state["last_error"] == "TemporaryError: Sign in to confirm"
    assert state["state"] == "failing"


def test_a_platform_without_a_working_provider_is_named_in_a_banner_and_the_problems(
    providers, superuser_client, api
):
    chain.fetch_posts([PostRef(platform="youtube", post_id="abcdefghijk", url="u")])

    expected = "No working provider for youtube: youtube_api not configured, broken failing."
    for url in ("/admin/posts/post/", "/admin/creators/account/"):
        assert expected in superuser_client.get(url).content.decode()
    problems = api.get("/api/v1/operations/health/").json()["problems"]
    assert any(problem.startswith(expected) for problem in problems)
    assert not any("instagram" in problem for problem in problems)
    page = superuser_client.get("/admin/operations/jobrun/dashboard/").content.decode()
    assert expected in page and "not configured" in page


@pytest.fixture
def graph_only(settings):
    """Instagram read only by the Graph API, which has no credentials of its own."""
    settings.INSTAGRAM_GRAPH_TOKEN = ""
    settings.INSTAGRAM_GRAPH_USER_ID = ""
    settings.PROVIDER_CLASSES = {
        "instagram_graph": "platforms.providers.instagram_graph.InstagramGraphProvider",
        "ytdlp": "platforms.providers.ytdlp.YtDlpProvider",
    }
    settings.PLATFORM_PROVIDERS = {
        "instagram": ["instagram_graph"],
        "youtube": ["ytdlp"],
        "tiktok": ["ytdlp"],
    }
    registry.clear_cache()
    yield
    registry.clear_cache()


def _instagram_warnings(superuser_client, api) -> dict[str, list[str]]:
    problems = api.get("/api/v1/operations/health/").json()["problems"]
    page = superuser_client.get("/admin/posts/post/").content.decode()
    return {
        "problems": [p for p in problems if "No working provider for instagram" in p],
        "posts page": ["banner"] if "No working provider for instagram" in page else [],
    }


def test_no_banner_when_every_tracked_account_is_read_with_its_connections_token(
    graph_only, superuser_client, api
):
    from tests.creators.factories import AccountFactory
    from tests.publishing.factories import SocialConnectionFactory

    SocialConnectionFactory(account=AccountFactory(tracking_enabled=True))
    AccountFactory(tracking_enabled=False)  # not refreshed: needs no provider

    assert _instagram_warnings(superuser_client, api) == {"problems": [], "posts page": []}


def test_the_banner_counts_the_tracked_accounts_without_a_connection(
    graph_only, superuser_client, api
):
    from tests.creators.factories import AccountFactory
    from tests.publishing.factories import SocialConnectionFactory

    SocialConnectionFactory(account=AccountFactory(tracking_enabled=True))
    AccountFactory(tracking_enabled=True)

    warnings = _instagram_warnings(superuser_client, api)

    assert warnings["posts page"] == ["banner"]
    assert warnings["problems"][0].startswith(
        "No working provider for instagram: instagram_graph not configured (1 tracked account "
        "without a connected account's token)."
    )
