import pytest

from core.bulk import CREATED, EXISTS, INVALID
from core.errors import DomainError
from creators.models import Account
from creators.services.adding import account_add, account_bulk_add
from posts.choices import Platform
from posts.services.adding import post_add
from tests.settings_app.factories import BoardFactory, ClientFactory

pytestmark = pytest.mark.django_db


def test_adding_an_account_by_url_normalizes_its_username():
    account, created = account_add(url="https://www.Instagram.com/NatGeo/reels/?hl=en")
    assert created is True
    assert (account.platform, account.username, account.url) == (
        Platform.INSTAGRAM,
        "natgeo",
        "https://www.instagram.com/natgeo/",
    )


def test_the_same_account_in_another_form_is_the_same_account():
    first, _ = account_add(url="https://www.tiktok.com/@Scout2015")
    second, created = account_add(url="tiktok.com/@scout2015?lang=en")
    assert created is False and first.pk == second.pk
    assert Account.objects.count() == 1


def test_adding_an_account_links_the_posts_already_tracked_for_it():
    post, _ = post_add(url="https://www.tiktok.com/@scout2015/video/6718335390845095173")
    other, _ = post_add(url="https://www.tiktok.com/@someone/video/6718335390845095174")
    account, _ = account_add(url="https://www.tiktok.com/@scout2015")
    post.refresh_from_db()
    other.refresh_from_db()
    assert post.account == account
    assert other.account is None


def test_a_post_url_is_not_added_as_an_account():
    with pytest.raises(DomainError, match="post URL"):
        account_add(url="https://www.instagram.com/p/Chunk8-jurw/")


def test_bulk_add_of_accounts_answers_every_url_and_sets_business_fields():
    client, board = ClientFactory(), BoardFactory(name="Finance")
    urls = [
        "https://www.youtube.com/@3blue1brown/videos",
        "https://youtube.com/@3Blue1Brown",
        "https://example.com/nope",
        "https://www.instagram.com/natgeo",
    ]
    results = account_bulk_add(urls=urls, client=client, boards=[board], type="main")
    assert [r.status for r in results] == [CREATED, EXISTS, INVALID, CREATED]
    assert results[0].obj.pk == results[1].obj.pk
    assert Account.objects.filter(client=client, boards=board, type="main").count() == 2
    again = account_bulk_add(urls=urls)
    assert [r.status for r in again] == [EXISTS, EXISTS, INVALID, EXISTS]
    assert Account.objects.count() == 2
