"""The Instagram Graph provider (Business Discovery) end to end against a fake Graph API."""

import copy

import pytest

from core.models import ProviderState
from platforms.providers import chain, instagram_graph
from platforms.providers.base import (
    AccountToken,
    PostRef,
    ProfileRef,
    ProviderError,
    RateLimited,
    TemporaryError,
)
from platforms.providers.instagram_graph import InstagramGraphProvider

from .conftest import Reply, load_sample

pytestmark = pytest.mark.django_db

USER = load_sample("ig_graph_business_discovery_user_fields.json")["response"]
MEDIA = load_sample("ig_graph_business_discovery_media_page1.json")["response"]
REF = ProfileRef(
    "instagram", "facebookfordevelopers", "https://www.instagram.com/facebookfordevelopers/"
)


def graph_route(request):
    fields = request.query.get("fields", "")
    if "media." in fields:
        page = copy.deepcopy(MEDIA)
        if ".after(" in fields:  # the second page is the last
            page["business_discovery"]["media"]["data"] = page["business_discovery"]["media"][
                "data"
            ][:1]
            page["business_discovery"]["media"]["data"][0]["permalink"] = (
                "https://www.instagram.com/reel/Chunk8-jurw/"
            )
        return Reply(body=page)
    return Reply(body=USER)


@pytest.fixture
def graph(fake_api, providers_settings):
    providers_settings.PLATFORM_PROVIDERS = {"instagram": ["instagram_graph"]}
    fake_api.route = graph_route
    return fake_api


def test_a_profile_comes_from_business_discovery_on_our_own_account(graph):
    profile = chain.fetch_profile(REF)
    assert (profile.followers, profile.media_count, profile.source) == (
        64976,
        436,
        "instagram_graph",
    )
    [call] = graph.requests
    assert call.path == "/v21.0/17841406338772941"
    assert call.query["fields"].startswith("business_discovery.username(facebookfordevelopers){")
    assert call.headers["Authorization"] == "Bearer test-token"


def test_recent_posts_page_through_the_media_edge(graph, monkeypatch):
    monkeypatch.setattr(instagram_graph, "PAGE_SIZE", 2)
    posts = chain.list_recent_posts(REF, limit=2)
    assert [p.post_id for p in posts] == ["CSr71Gzlqo4", "CSpNPqgFxE0"]
    assert all(p.views is None for p in posts)
    posts = InstagramGraphProvider().list_recent_posts(REF, limit=3)
    assert [p.post_id for p in posts] == ["CSr71Gzlqo4", "CSpNPqgFxE0", "Chunk8-jurw"]
    assert ".after(after)" in graph.requests[-1].query["fields"]


def test_posts_are_picked_from_their_authors_media_list(graph, settings):
    settings.INSTAGRAM_GRAPH_MEDIA_SCAN = 2
    wanted = PostRef(
        "instagram",
        "CSpNPqgFxE0",
        "https://www.instagram.com/p/CSpNPqgFxE0/",
        "facebookfordevelopers",
    )
    older = PostRef(
        "instagram",
        "OLDolderOLD",
        "https://www.instagram.com/p/OLDolderOLD/",
        "facebookfordevelopers",
    )
    anonymous = PostRef("instagram", "CSr71Gzlqo4", "https://www.instagram.com/p/CSr71Gzlqo4/")
    found, missing, unknown = chain.fetch_posts([wanted, older, anonymous])
    assert (found.stats.likes, found.stats.comments) == (186, 16)
    assert "not among" in str(missing.error) and not missing.error.final
    assert "needs the post's username" in str(unknown.error)
    assert len(graph.requests) == 1


def test_a_throttling_error_code_pauses_the_provider(graph):
    graph.scripted.append(
        Reply(
            400,
            {
                "error": {
                    "message": "Application request limit reached",
                    "type": "OAuthException",
                    "code": 4,
                }
            },
        )
    )
    with pytest.raises(RateLimited):
        chain.fetch_profile(REF)
    state = ProviderState.objects.get(provider="instagram_graph")
    assert state.paused_until is not None  # no Retry-After: the default pause
    assert "request limit" in state.last_error


def test_an_expired_token_says_to_refresh_it(graph):
    graph.scripted.append(Reply(400, {"error": {"message": "Session has expired", "code": 190}}))
    with pytest.raises(ProviderError, match="refresh INSTAGRAM_GRAPH_TOKEN"):
        chain.fetch_profile(REF)


def test_a_500_then_a_success_is_retried(graph):
    graph.scripted.append(Reply(500, {"error": {"message": "unknown", "code": 1}}))
    assert chain.fetch_profile(REF).followers == 64976
    assert len(graph.requests) == 2


def test_malformed_json_says_so(graph):
    graph.scripted.append(Reply(200, "<html>"))
    with pytest.raises(ProviderError, match="malformed JSON"):
        chain.fetch_profile(REF)


def test_a_slow_answer_is_a_temporary_error(graph, settings):
    settings.PROVIDER_READ_TIMEOUT_S = 0.2
    graph.scripted.append(Reply(200, USER, delay=1.0))
    with pytest.raises(TemporaryError):
        chain.fetch_profile(REF)


def test_without_both_token_and_user_id_the_provider_is_skipped(graph, settings):
    settings.INSTAGRAM_GRAPH_USER_ID = ""
    with pytest.raises(chain.NoProvider):
        chain.fetch_profile(REF)
    assert graph.requests == []


def own_route(request):
    """The own node of a connected account: the media edge without the business_discovery
    wrapper (shared/samples media page), the profile fields as the own user's."""
    if not request.path.startswith("/own/"):
        return graph_route(request)
    if "media." in request.query.get("fields", ""):
        return Reply(body=copy.deepcopy(MEDIA["business_discovery"]))
    return Reply(body=load_sample("ig_graph_own_user_fields.json")["response"])


def test_without_business_discovery_credentials_a_connected_accounts_token_still_reads_it(
    graph, settings
):
    settings.INSTAGRAM_GRAPH_TOKEN = settings.INSTAGRAM_GRAPH_USER_ID = ""
    graph.route = own_route
    token = AccountToken("own-token", user_id="17841407673135339", api_base=graph.url + "/own")
    own = PostRef(
        "instagram",
        "CSr71Gzlqo4",
        "https://www.instagram.com/p/CSr71Gzlqo4/",
        username="facebookfordevelopers",
        token=token,
    )
    other = PostRef("instagram", "CSpNPqgFxE0", "https://www.instagram.com/p/CSpNPqgFxE0/", "x")

    own_result, other_result = chain.fetch_posts([own, other])

    assert (own_result.stats.likes, own_result.stats.comments) == (87, 11)
    assert isinstance(other_result.error, chain.NoProvider)
    [call] = graph.requests
    assert call.path == "/own/17841407673135339"
    assert call.headers["Authorization"] == "Bearer own-token"
    profile = chain.fetch_profile(
        ProfileRef("instagram", "facebookfordevelopers", REF.url, token=token)
    )
    assert profile.followers == 64363
    with pytest.raises(chain.NoProvider):
        chain.fetch_profile(REF)  # no token of its own: nobody may look it up
