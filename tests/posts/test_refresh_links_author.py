"""A post added by URL is linked to its author's tracked account by the refresh that learns the
author, not by a later detection pass. The YouTube API names a video's channel by its id only
(snippet.channelId), so the channel id finds the account too."""

import pytest
from django.utils import timezone

from posts.choices import Platform
from posts.services.adding import post_add
from posts.services.refresh import post_refresh_ids
from tests.creators.factories import AccountFactory
from tests.platforms.test_youtube_api_provider import youtube_route

pytestmark = pytest.mark.django_db

# The channel of the recorded videos.list answer (Google Developers).
CHANNEL_ID = "UC_x5XG1OV2P6uZZ5FSM9Ttw"


@pytest.fixture
def youtube(fake_api, providers_settings):
    fake_api.route = youtube_route
    return fake_api


def test_a_video_added_by_url_is_linked_to_its_tracked_channel_by_the_first_refresh(youtube):
    account = AccountFactory(
        platform=Platform.YOUTUBE,
        username="googledevelopers",
        url="https://www.youtube.com/@googledevelopers",
        external_id=CHANNEL_ID,
    )
    post, _ = post_add(url="https://www.youtube.com/watch?v=vid00000001")
    assert post.account is None

    post_refresh_ids(ids=[post.pk], now=timezone.now())  # the refresh queued by adding

    post.refresh_from_db()
    assert post.account == account


def test_a_channel_added_by_its_channel_url_is_found_by_the_channel_id(youtube):
    account = AccountFactory(
        platform=Platform.YOUTUBE,
        username=CHANNEL_ID,
        url=f"https://www.youtube.com/channel/{CHANNEL_ID}",
    )
    post, _ = post_add(url="https://youtu.be/vid00000002")

    post_refresh_ids(ids=[post.pk], now=timezone.now())

    post.refresh_from_db()
    assert post.account == account


def test_a_video_of_an_untracked_channel_stays_unlinked(youtube):
    AccountFactory(platform=Platform.YOUTUBE, username="someoneelse", external_id="UC" + "x" * 22)
    post, _ = post_add(url="https://youtu.be/vid00000003")

    post_refresh_ids(ids=[post.pk], now=timezone.now())

    post.refresh_from_db()
    assert post.account is None
