import pytest

from core.bulk import CREATED, EXISTS, INVALID
from core.errors import DomainError
from platforms.resolve import ShortLinkError
from platforms.urls import parse_url
from posts.choices import Platform, TrialStatus
from posts.models import Post
from posts.services.adding import post_add, post_bulk_add, post_update
from tests.creators.factories import AccountFactory
from tests.settings_app.factories import BoardFactory, ClientFactory, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

TIKTOK_ID = "7106594312292453675"


def test_adding_a_post_by_url_detects_platform_id_and_canonical_url():
    post, created = post_add(
        url="https://www.instagram.com/reel/Chunk8-jurw/?igsh=MWQ1ZGUxMzBkMA=="
    )
    assert created is True
    assert (post.platform, post.post_id, post.url) == (
        Platform.INSTAGRAM,
        "Chunk8-jurw",
        "https://www.instagram.com/p/Chunk8-jurw/",
    )
    assert post.processing_status == "pending"
    assert post.is_trial is False and post.trial_status is None


def test_the_same_post_pasted_in_another_form_is_the_same_post():
    first, created_first = post_add(url="https://www.instagram.com/reel/Chunk8-jurw/?igsh=abc")
    second, created_second = post_add(url="instagram.com/p/Chunk8-jurw")
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Post.objects.count() == 1


def test_adding_an_existing_post_keeps_its_business_fields():
    client = ClientFactory()
    post_add(url="https://youtu.be/dQw4w9WgXcQ", client=client)
    again, created = post_add(url="https://www.youtube.com/watch?v=dQw4w9WgXcQ", client=None)
    assert created is False
    again.refresh_from_db()
    assert again.client == client


def test_a_trial_reel_is_pending_with_its_business_fields():
    user = UserFactory()
    client, editor, board = ClientFactory(), EditorFactory(), BoardFactory(name="Clipping")
    post, _ = post_add(
        url=f"https://www.tiktok.com/@clipper/video/{TIKTOK_ID}",
        is_trial=True,
        added_by=user,
        client=client,
        editor=editor,
        assignee=user,
        type="clip_side",
        boards=[board],
        extra={"batch": "week 12"},
    )
    post.refresh_from_db()
    assert post.is_trial is True
    assert post.trial_status == TrialStatus.PENDING
    assert (post.client, post.editor, post.assignee, post.added_by) == (client, editor, user, user)
    assert post.type == "clip_side"
    assert list(post.boards.all()) == [board]
    assert post.extra == {"batch": "week 12"}
    assert post.added_date is not None


def test_a_post_whose_author_is_known_is_linked_to_that_account():
    account = AccountFactory(
        platform=Platform.TIKTOK, username="clipper", url="https://www.tiktok.com/@clipper"
    )
    post, _ = post_add(url=f"https://www.tiktok.com/@Clipper/video/{TIKTOK_ID}?is_from_webapp=1")
    assert post.username == "clipper"
    assert post.account == account


def test_an_author_learned_later_completes_a_post_added_without_one():
    account = AccountFactory(
        platform=Platform.TIKTOK, username="clipper", url="https://www.tiktok.com/@clipper"
    )
    post, _ = post_add(url=f"https://m.tiktok.com/v/{TIKTOK_ID}.html")
    assert post.username == "" and post.account is None
    same, created = post_add(url=f"https://www.tiktok.com/@clipper/video/{TIKTOK_ID}")
    same.refresh_from_db()
    assert created is False and same.pk == post.pk
    assert same.username == "clipper"
    assert same.account == account
    assert same.url == f"https://www.tiktok.com/@clipper/video/{TIKTOK_ID}"


def test_an_unsupported_url_is_refused_with_the_accepted_forms():
    with pytest.raises(DomainError) as error:
        post_add(url="https://vimeo.com/123456")
    assert "Accepted" in error.value.message
    assert Post.objects.count() == 0


def test_a_profile_url_is_not_added_as_a_post():
    with pytest.raises(DomainError, match="profile URL"):
        post_add(url="https://www.instagram.com/natgeo/")


def test_a_short_link_is_resolved_then_added_under_its_real_post():
    resolved = []

    def fake_resolve(url):
        resolved.append(url)
        return parse_url(f"https://www.tiktok.com/@scout2015/video/{TIKTOK_ID}")

    post, created = post_add(url="https://vm.tiktok.com/ZTR45GpSF/", resolve=fake_resolve)
    assert created is True
    assert resolved == ["https://vm.tiktok.com/ZTR45GpSF/"]
    assert post.post_id == TIKTOK_ID and post.username == "scout2015"


def test_a_short_link_that_cannot_be_followed_is_reported_not_added():
    def failing_resolve(url):
        raise ShortLinkError("Could not reach vm.tiktok.com: timed out.")

    with pytest.raises(DomainError, match="Paste the full post URL"):
        post_add(url="https://vm.tiktok.com/ZTR45GpSF/", resolve=failing_resolve)
    assert Post.objects.count() == 0


def test_bulk_add_answers_every_url_in_order_and_one_bad_url_blocks_nothing():
    post_add(url="https://www.youtube.com/shorts/18NGQq7p3LY")
    board = BoardFactory(name="Clients")
    urls = [
        "https://www.instagram.com/p/CxYz123AbC_/",
        "not a url at all",
        "https://youtu.be/18NGQq7p3LY?si=abc",
        "https://www.instagram.com/reel/CxYz123AbC_/?igsh=x",
        f"https://www.tiktok.com/@someone/video/{TIKTOK_ID}",
        "https://www.instagram.com/stories/someone/123/",
    ]
    results = post_bulk_add(urls=urls, boards=[board])
    assert [r.url for r in results] == urls
    assert [r.status for r in results] == [CREATED, INVALID, EXISTS, EXISTS, CREATED, INVALID]
    assert results[0].obj.pk == results[3].obj.pk
    assert "stories" in results[5].error.lower()
    assert results[1].error
    assert Post.objects.count() == 3
    assert set(Post.objects.filter(boards=board).values_list("post_id", flat=True)) == {
        "CxYz123AbC_",
        TIKTOK_ID,
    }


def test_rerunning_a_bulk_add_creates_nothing_new():
    urls = [f"https://www.instagram.com/p/Code{n:04d}xx/" for n in range(25)]
    first = post_bulk_add(urls=urls)
    second = post_bulk_add(urls=urls)
    assert {r.status for r in first} == {CREATED}
    assert {r.status for r in second} == {EXISTS}
    assert [r.obj.pk for r in first] == [r.obj.pk for r in second]
    assert Post.objects.count() == 25


def test_updating_a_post_validates_its_rules():
    post, _ = post_add(url="https://www.instagram.com/p/Chunk8-jurw/")
    post_update(post=post, base_format="single_photo")
    with pytest.raises(Exception, match="Only videos have a reel style"):
        post_update(post=post, reel_style="talking_head")
    post.refresh_from_db()
    assert post.reel_style is None
