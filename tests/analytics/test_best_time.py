"""Best time to post: first-24-hour views by local weekday x hour, with the posts behind each
cell, too-few-posts cells, role scoping and the API's 400s."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from analytics.best_time import best_time_grid
from tests.creators.factories import AccountFactory, CreatorFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import ClientFactory, EditorFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")
URL = "/api/v1/analytics/best-time/"


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    settings.BEST_TIME_MIN_POSTS = 3
    settings.BEST_TIME_WINDOW_HOURS = 24


def posted(account, local: datetime, *, first_day: int, later: int | None = None, **kw):
    """A post published at `local` (Berlin) with `first_day` views at 20 h and, optionally,
    `later` views three days on (which must not count)."""
    when = local.replace(tzinfo=BERLIN)
    post = PostFactory(account=account, post_date=when, **kw)
    PostSnapshotFactory(post=post, captured_at=when + timedelta(hours=1), views=first_day // 10)
    PostSnapshotFactory(post=post, captured_at=when + timedelta(hours=20), views=first_day)
    if later is not None:
        PostSnapshotFactory(post=post, captured_at=when + timedelta(days=3), views=later)
    return post


@pytest.fixture
def owner(db):
    return UserFactory(roles=["Owner"], is_staff=True)


def test_the_cell_is_the_average_first_day_views_of_the_posts_at_that_local_hour(owner):
    account = AccountFactory()
    # Tuesday 2026-03-10, 18:xx Berlin (17:xx UTC): three posts, 1 000 / 2 000 / 6 000 views.
    for minute, views in ((5, 1000), (30, 2000), (55, 6000)):
        posted(account, datetime(2026, 3, 10, 18, minute), first_day=views, later=views * 50)
    # Another Tuesday at 18:10: the same cell.
    posted(account, datetime(2026, 3, 17, 18, 10), first_day=3000)

    grid = best_time_grid(owner, account=account.pk)

    cell = grid.cell(1, 18)  # Tuesday, 18:00 local
    assert cell.posts == 4
    assert cell.avg_views == 3000  # (1000 + 2000 + 6000 + 3000) / 4, not the views 3 days on
    assert grid.cell(1, 17).posts == 0  # not the UTC hour


def test_a_cell_with_too_few_posts_gives_no_value(owner):
    account = AccountFactory()
    posted(account, datetime(2026, 3, 11, 9, 0), first_day=500)
    posted(account, datetime(2026, 3, 18, 9, 0), first_day=700)

    cell = best_time_grid(owner, account=account.pk).cell(2, 9)

    assert cell.posts == 2
    assert cell.too_few and cell.avg_views is None


def test_a_post_first_tracked_after_its_first_day_is_left_out(owner):
    account = AccountFactory()
    when = datetime(2026, 3, 12, 12, 0, tzinfo=BERLIN)
    late = PostFactory(account=account, post_date=when)
    PostSnapshotFactory(post=late, captured_at=when + timedelta(days=5), views=90_000)

    assert best_time_grid(owner, account=account.pk).cells == {}


def test_scopes_pick_the_account_creator_or_client(owner):
    client, creator = ClientFactory(), CreatorFactory()
    of_client = AccountFactory(client=client)
    of_creator = AccountFactory(creator=creator)
    posted(of_client, datetime(2026, 3, 13, 8, 0), first_day=100)
    posted(of_creator, datetime(2026, 3, 13, 20, 0), first_day=100)

    assert set(best_time_grid(owner, client=client.pk).cells) == {(4, 8)}
    assert set(best_time_grid(owner, creator=creator.pk).cells) == {(4, 20)}
    assert set(best_time_grid(owner).cells) == {(4, 8), (4, 20)}


def test_a_clients_cells_hold_its_accounts_posts_and_the_posts_attributed_to_it_once(owner):
    client = ClientFactory()
    of_client = AccountFactory(client=client)
    posted(of_client, datetime(2026, 3, 16, 9, 0), first_day=100)
    # On the client's account and attributed to the client as well: one post, not two.
    posted(of_client, datetime(2026, 3, 16, 9, 30), first_day=200, client=client)
    # On another client's account, attributed to this client.
    posted(AccountFactory(), datetime(2026, 3, 16, 9, 45), first_day=600, client=client)
    posted(AccountFactory(), datetime(2026, 3, 16, 9, 50), first_day=9_000)  # not the client's

    grid = best_time_grid(owner, client=client.pk, start_date=date(2026, 3, 16))

    assert (grid.posts, grid.cell(0, 9).posts, grid.cell(0, 9).avg_views) == (3, 3, 300)


def test_an_editor_sees_only_the_cells_of_their_own_posts(db):
    user = UserFactory(roles=["Editor"], is_staff=True)
    mine, theirs = EditorFactory(user=user), EditorFactory()
    posted(AccountFactory(), datetime(2026, 3, 14, 10, 0), first_day=100, editor=mine)
    posted(AccountFactory(), datetime(2026, 3, 14, 11, 0), first_day=100, editor=theirs)

    assert set(best_time_grid(user).cells) == {(5, 10)}


def test_the_api_answers_the_grid_with_counts_and_too_few(owner):
    account = AccountFactory()
    for day in (10, 17, 24):
        posted(account, datetime(2026, 3, day, 18, 0), first_day=day * 100)
    posted(account, datetime(2026, 3, 11, 7, 0), first_day=100)
    api = APIClient()
    api.force_login(owner)

    answer = api.get(URL, {"account": account.pk}).json()

    cells = {(c["weekday"], c["hour"]): c for c in answer["cells"]}
    assert cells[(1, 18)] == {
        "weekday": 1,
        "hour": 18,
        "posts": 3,
        "avg_views": 1700,
        "too_few_posts": False,
    }
    assert cells[(2, 7)]["too_few_posts"] is True and cells[(2, 7)]["avg_views"] is None
    assert answer["min_posts"] == 3 and answer["window_hours"] == 24
    assert answer["best"][0]["hour"] == 18


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"account": "abc"}, "account"),
        ({"account": "1", "client": "2"}, "client"),
        ({"platform": "myspace"}, "platform"),
        ({"acount": "1"}, "acount"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date"),
    ],
)
def test_the_api_names_a_bad_parameter(owner, params, field):
    api = APIClient()
    api.force_login(owner)

    response = api.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_user_without_post_access_is_refused(db):
    api = APIClient()
    api.force_login(UserFactory(roles=[], is_staff=True))
    assert api.get(URL).status_code == 403


def test_dates_keep_the_posts_published_between_them_in_local_days(owner):
    account = AccountFactory()
    posted(account, datetime(2026, 3, 1, 0, 30), first_day=100)  # Berlin; Feb 28 in UTC
    posted(account, datetime(2026, 3, 9, 23, 30), first_day=100)  # Mar 9 Berlin; Mar 9 UTC
    posted(account, datetime(2026, 3, 10, 0, 30), first_day=100)  # Mar 10 Berlin

    grid = best_time_grid(
        owner, account=account.pk, start_date=date(2026, 3, 1), end_date=date(2026, 3, 9)
    )

    assert set(grid.cells) == {(6, 0), (0, 23)}


def _settle_job():
    from operations.jobs import settle_best_time

    return settle_best_time()


def test_the_settled_figures_give_the_same_grid_and_outlive_thinned_snapshots(owner):
    from analytics.models import PostFirstWindow
    from posts.models import PostSnapshot

    account = AccountFactory()
    old = [
        posted(account, datetime(2026, 3, 10, 18, m), first_day=v, later=v * 9)
        for m, v in ((5, 1000), (30, 2000), (55, 6000))
    ]
    late = PostFactory(account=account, post_date=datetime(2026, 3, 11, 9, 0, tzinfo=BERLIN))
    PostSnapshotFactory(post=late, captured_at=late.post_date + timedelta(days=2), views=500)
    before = best_time_grid(owner, account=account.pk)

    _settle_job()

    assert PostFirstWindow.objects.count() == 4  # every window closed (2026-03 is long past)
    assert not PostFirstWindow.objects.get(post=late).tracked  # first tracked too late
    # The grid reads the stored figures: with the snapshots gone it is still the same.
    PostSnapshot.objects.filter(post__in=old).delete()
    after = best_time_grid(owner, account=account.pk)
    assert after.cells == before.cells
    assert after.cell(1, 18).avg_views == 3000


def test_a_post_whose_window_is_still_open_is_read_from_its_snapshots(owner, settings):
    from django.utils import timezone

    from analytics.models import PostFirstWindow

    settings.TIME_ZONE = "UTC"
    account = AccountFactory()
    when = (timezone.now() - timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
    post = PostFactory(account=account, post_date=when)
    PostSnapshotFactory(post=post, captured_at=when + timedelta(hours=2), views=700)

    _settle_job()
    PostSnapshotFactory(post=post, captured_at=when + timedelta(hours=19), views=900)

    assert not PostFirstWindow.objects.exists()
    grid = best_time_grid(owner, account=account.pk)
    assert grid.cell(when.weekday(), when.hour).posts == 1
    assert grid.posts == 1


def test_a_changed_post_date_is_not_read_from_the_stale_figure(owner):
    from posts.models import Post

    account = AccountFactory()
    post = posted(account, datetime(2026, 3, 10, 18, 0), first_day=1000, later=5000)
    _settle_job()

    # A refresh corrects the post date: the day after, when the 5 000 snapshot is 2 days in.
    Post.objects.filter(pk=post.pk).update(post_date=datetime(2026, 3, 11, 18, 0, tzinfo=BERLIN))
    grid = best_time_grid(owner, account=account.pk)
    assert set(grid.cells) == set()  # no snapshot inside the new first day: left out

    _settle_job()
    assert set(best_time_grid(owner, account=account.pk).cells) == set()
