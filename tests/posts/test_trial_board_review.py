"""Reviewing on the trial reels board: the Rejected tab says who rejected each reel, when and
why; a video can be previewed in the platform's own player, and the page's CSP lets exactly
those players in."""

import re

import pytest

from posts.choices import Platform, TrialStatus
from posts.services.trials import post_reject_trial
from tests.posts.factories import PostFactory
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db

BOARD = "/admin/posts/post/trial-board/"
PLAYER_HOSTS = {"www.youtube-nocookie.com", "www.tiktok.com", "www.instagram.com"}


def trial(**fields):
    return PostFactory(is_trial=True, trial_status=TrialStatus.PENDING, **fields)


def row(html: str, pk: int) -> str:
    return re.search(rf'<tr[^>]*data-id="{pk}".*?</tr>', html, re.S).group(0)


def test_the_rejected_tab_shows_who_rejected_when_and_the_note(superuser_client, superuser):
    manager = UserFactory(username="mara", first_name="Mara", last_name="Lind")
    post = trial()
    post_reject_trial(post=post, user=manager, note="Hook comes too late")
    quiet = trial()
    post_reject_trial(post=quiet, user=superuser)

    html = superuser_client.get(f"{BOARD}?status=rejected").content.decode()

    assert "<th>Rejected by</th>" in html
    assert "Mara Lind" in row(html, post.pk)
    assert '<q class="co-note">Hook comes too late</q>' in row(html, post.pk)
    assert "admin" in row(html, quiet.pk) and "co-note" not in row(html, quiet.pk)
    assert "Rejected by" not in superuser_client.get(BOARD).content.decode()


def test_each_video_can_be_previewed_in_its_platforms_player(superuser_client):
    youtube = trial(
        platform=Platform.YOUTUBE,
        post_id="dQw4w9WgXcQ",
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    tiktok = trial(
        platform=Platform.TIKTOK,
        post_id="7234567890123456789",
        url="https://www.tiktok.com/@ana/video/7234567890123456789",
    )
    reel = trial(post_id="DReel000001", thumbnail_url="https://cdn.example/t.jpg")
    photo = trial(
        platform=Platform.TIKTOK,
        post_id="7234567890123456000",
        url="https://www.tiktok.com/@ana/photo/7234567890123456000",
    )

    response = superuser_client.get(BOARD)

    html = response.content.decode()
    assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in row(
        html, youtube.pk
    )
    assert 'data-embed="https://www.tiktok.com/player/v1/7234567890123456789"' in row(
        html, tiktok.pk
    )
    assert 'data-embed="https://www.instagram.com/p/DReel000001/embed/"' in row(html, reel.pk)
    # No player for a photo post: its thumbnail opens it on the platform.
    assert "data-embed" not in row(html, photo.pk)
    assert f'<a href="{photo.url}" target="_blank"' in row(html, photo.pk)
    assert "posts/embed_preview.js" in html
    # The CSP lets these players, and only them, into frames.
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if " " in directive.strip()
    )
    allowed = {source.removeprefix("https://") for source in policy["frame-src"].split()}
    assert allowed == PLAYER_HOSTS
    embedded = re.findall(r'data-embed="https://([^/"]+)/', html)
    assert set(embedded) == PLAYER_HOSTS
