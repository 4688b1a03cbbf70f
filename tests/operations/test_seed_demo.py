import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from creators.models import Account, AccountSnapshot
from finance.models import FinanceItem
from posts.choices import BaseFormat, Platform, ProcessingStatus, TrialStatus
from posts.models import Post, PostSnapshot
from settings_app.models import Board, Category, Client, Editor, Subcategory
from tests.creators.factories import AccountFactory, AccountSnapshotFactory
from tests.finance.factories import FinanceItemFactory
from tests.posts.factories import PostFactory, PostSnapshotFactory
from tests.settings_app.factories import (
    BoardFactory,
    CategoryFactory,
    ClientFactory,
    EditorFactory,
    SubcategoryFactory,
)

pytestmark = pytest.mark.django_db

SMALL = ["--accounts", "6", "--posts", "120", "--days", "10"]

POST_URL = {
    Platform.INSTAGRAM: re.compile(r"https://www\.instagram\.com/p/[A-Za-z0-9_-]{11}/"),
    Platform.TIKTOK: re.compile(r"https://www\.tiktok\.com/@demo_[a-z0-9._]+/(video|photo)/\d{19}"),
    Platform.YOUTUBE: re.compile(r"https://www\.youtube\.com/watch\?v=[A-Za-z0-9_-]{11}"),
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Client,
            Editor,
            Board,
            FinanceItem,
            Category,
            Subcategory,
            Account,
            AccountSnapshot,
            Post,
            PostSnapshot,
            Post.boards.through,
            Post.subcategories.through,
            Account.boards.through,
        )
    }


def test_default_seed_creates_a_believable_agency():
    # Its speed is a figure of bench/, not a timed test: a shared machine makes timings flaky.
    output = seed()

    assert Account.objects.count() == 40
    assert Post.objects.count() == 2000
    assert Post.objects.filter(is_trial=True, trial_status=TrialStatus.PENDING).count() == 60
    assert Post.objects.filter(is_trial=True, trial_status=TrialStatus.REJECTED).count() == 20
    assert Post.objects.filter(is_trial=False, trial_status=TrialStatus.APPROVED).count() == 20
    assert Client.objects.filter(name__endswith=" (demo)").count() == 5
    assert Editor.objects.filter(name__endswith=" (demo)").count() == 6
    assert {"Finance", "Clipping", "Clients", "UGC"} <= set(
        Board.objects.values_list("name", flat=True)
    )
    assert FinanceItem.objects.filter(code="FIN-0001", payee_name__endswith=" (demo)").exists()
    assert PostSnapshot.objects.count() > 60_000
    assert AccountSnapshot.objects.count() == 40 * 61
    assert set(Account.objects.values_list("platform", flat=True)) == set(Platform.values)
    assert "2,000 posts" in output


def test_every_demo_row_is_marked_as_demo():
    seed(*SMALL)

    assert not Account.objects.exclude(extra__demo=True).exists()
    assert not Post.objects.exclude(extra__demo=True).exists()
    assert all(a.username.startswith("demo_") for a in Account.objects.all())
    assert all(p.username.startswith("demo_") for p in Post.objects.all())
    assert set(PostSnapshot.objects.values_list("source", flat=True)) == {"demo"}


def test_accounts_carry_their_business_fields_and_posts_inherit_them():
    seed(*SMALL)

    for account in Account.objects.prefetch_related("boards"):
        assert account.client and account.editor and account.type
        assert account.full_name and account.biography and account.followers
        assert account.boards.exists()
    post = Post.objects.select_related("account").prefetch_related("boards").first()
    assert (post.client_id, post.editor_id, post.type, post.finance_item_id) == (
        post.account.client_id,
        post.account.editor_id,
        post.account.type,
        post.account.finance_item_id,
    )
    assert set(post.boards.all()) == set(post.account.boards.all())


def test_current_stats_equal_the_latest_snapshot():
    seed(*SMALL)

    for post in Post.objects.prefetch_related("snapshots"):
        latest = list(post.snapshots.all())[-1]
        assert (post.views, post.likes, post.comments, post.shares) == (
            latest.views,
            latest.likes,
            latest.comments,
            latest.shares,
        )
        assert post.last_updated == latest.captured_at
    for account in Account.objects.prefetch_related("snapshots"):
        latest = list(account.snapshots.all())[-1]
        assert (account.followers, account.following, account.total_media_count) == (
            latest.followers,
            latest.following,
            latest.media_count,
        )


def test_snapshots_are_daily_from_the_post_date_and_never_decrease():
    seed(*SMALL)

    for post in Post.objects.prefetch_related("snapshots"):
        snapshots = list(post.snapshots.all())
        assert 1 <= len(snapshots) <= 11
        assert snapshots[0].captured_at >= post.post_date
        for before, after in pairwise(snapshots):
            assert after.captured_at - before.captured_at == timedelta(days=1)
            for counter in ("views", "likes", "comments", "shares"):
                if getattr(before, counter) is not None:
                    assert getattr(before, counter) <= getattr(after, counter)


def test_counters_the_platform_hides_are_null():
    seed(*SMALL)

    assert not Post.objects.filter(platform=Platform.YOUTUBE, shares__isnull=False).exists()
    assert not PostSnapshot.objects.filter(
        post__platform=Platform.YOUTUBE, shares__isnull=False
    ).exists()
    photos = Post.objects.filter(platform=Platform.INSTAGRAM, base_format=BaseFormat.SINGLE_PHOTO)
    assert photos.exists()
    assert not photos.filter(views__isnull=False).exists()
    assert Post.objects.filter(platform=Platform.TIKTOK, shares__gt=0).exists()


def test_post_urls_are_canonical_for_their_platform():
    seed(*SMALL)

    for post in Post.objects.all():
        assert POST_URL[post.platform].fullmatch(post.url), post.url
        assert post.post_id in post.url
        if post.platform == Platform.TIKTOK:
            assert f"/@{post.username}/" in post.url


def test_formats_match_the_platform():
    seed(*SMALL)

    formats = set(Post.objects.values_list("platform", "base_format", "content_type"))
    assert formats <= {
        ("instagram", "video", "video_short"),
        ("instagram", "carousel", "carousel"),
        ("instagram", "single_photo", "photo_single"),
        ("tiktok", "video", "video_short"),
        ("tiktok", "carousel", "carousel"),
        ("youtube", "video", "video_short"),
        ("youtube", "video", "video_long"),
    }


def test_engagement_rate_follows_the_metrics_spec():
    seed(*SMALL)

    for post in Post.objects.filter(views__gt=0):
        interactions = (post.likes or 0) + (post.comments or 0) + (post.shares or 0)
        expected = (Decimal(interactions * 100) / post.views).quantize(Decimal("0.01"))
        assert abs(post.engagement_rate - expected) <= Decimal("0.01")
    assert not Post.objects.filter(engagement_rate__isnull=True).exists()


def test_ai_fields_are_filled_for_some_posts_and_pending_for_others():
    seed(*SMALL)

    completed = Post.objects.filter(processing_status=ProcessingStatus.COMPLETED)
    assert completed.exists()
    assert Post.objects.filter(processing_status=ProcessingStatus.PENDING).exists()
    assert not completed.filter(category__isnull=True).exists()
    for post in completed.prefetch_related("subcategories"):
        subcategories = list(post.subcategories.all())
        assert 1 <= len(subcategories) <= 3
        assert {s.category_id for s in subcategories} == {post.category_id}
        assert (post.reel_style is not None) == (post.base_format == BaseFormat.VIDEO)
    assert not Post.objects.filter(is_trial=True).exclude(processing_status="pending").exists()


def test_trial_reels_are_videos_with_consistent_decisions():
    seed(*SMALL)

    trials = Post.objects.exclude(trial_status=None)
    assert trials.count() == 6  # 3 % pending, 1 % rejected, 1 % approved of 120
    assert not trials.exclude(base_format=BaseFormat.VIDEO).exists()
    decided = trials.exclude(trial_status=TrialStatus.PENDING)
    assert not decided.filter(trial_decided_at__isnull=True).exists()
    assert not decided.filter(trial_note="").exists()


def test_running_twice_creates_nothing_new():
    seed(*SMALL)
    before = table_counts()
    urls = set(Post.objects.values_list("url", flat=True))

    output = seed(*SMALL)

    assert table_counts() == before
    assert set(Post.objects.values_list("url", flat=True)) == urls
    assert "nothing created" in output


def test_the_same_seed_makes_the_same_posts_again_after_clearing():
    seed(*SMALL)
    urls = set(Post.objects.values_list("url", flat=True))

    seed("--clear")
    seed(*SMALL)

    assert set(Post.objects.values_list("url", flat=True)) == urls


def test_clear_removes_only_demo_data():
    board = BoardFactory(name="Finance", slug="finance")
    client, editor = ClientFactory(name="Acme"), EditorFactory(name="Real Editor")
    item = FinanceItemFactory(code="FIN-0001", payee_name="Real Payee")
    account = AccountFactory(client=client, editor=editor, finance_item=item)
    account.boards.add(board)
    AccountSnapshotFactory(account=account)
    post = PostFactory(account=account, client=client)
    PostSnapshotFactory(post=post)
    seed(*SMALL)

    output = seed("--clear")

    assert list(Account.objects.all()) == [account]
    assert list(Post.objects.all()) == [post]
    assert PostSnapshot.objects.get().post == post
    assert AccountSnapshot.objects.get().account == account
    assert list(Client.objects.all()) == [client]
    assert list(Editor.objects.all()) == [editor]
    assert list(FinanceItem.objects.all()) == [item]
    assert Board.objects.filter(pk=board.pk).exists()
    assert "Removed demo data" in output
    assert "No demo data" in seed("--clear")


def test_demo_finance_items_never_take_the_code_of_a_real_one():
    FinanceItemFactory(code="FIN-0001", payee_name="Real Payee")

    seed(*SMALL)

    assert FinanceItem.objects.get(code="FIN-0001").payee_name == "Real Payee"
    assert FinanceItem.objects.filter(payee_name__endswith=" (demo)").count() == 4
    assert not Account.objects.filter(finance_item__code="FIN-0001").exists()


def test_an_existing_taxonomy_is_used_and_not_extended():
    Category.objects.all().delete()  # the migration's default taxonomy
    comedy = CategoryFactory(name="Comedy")
    SubcategoryFactory(category=comedy, name="Sketches")

    seed(*SMALL)

    assert list(Category.objects.values_list("name", flat=True)) == ["Comedy"]
    assert Subcategory.objects.count() == 1
    assert Post.objects.filter(category=comedy).exists()


def test_an_empty_taxonomy_gets_a_small_default():
    Category.objects.all().delete()  # the migration's default taxonomy
    seed(*SMALL)

    assert {"Finance", "Business", "Entertainment", "Lifestyle", "Fitness & Health"} == set(
        Category.objects.values_list("name", flat=True)
    )
    assert all(
        2 <= n <= 3
        for n in Category.objects.annotate(n=Count("subcategories")).values_list("n", flat=True)
    )


def test_if_empty_leaves_a_database_with_posts_alone():
    PostFactory()

    output = seed("--if-empty", *SMALL)

    assert Post.objects.count() == 1
    assert "already has posts" in output


def test_if_empty_respects_demo_data_off(monkeypatch):
    monkeypatch.setenv("DEMO_DATA", "0")

    output = seed("--if-empty", *SMALL)

    assert not Post.objects.exists()
    assert "DEMO_DATA is off" in output


def test_if_empty_seeds_an_empty_database(monkeypatch):
    monkeypatch.delenv("DEMO_DATA", raising=False)

    seed("--if-empty", *SMALL)

    assert Post.objects.count() == 120


@pytest.mark.parametrize("years_later", [0, 1, 100])
def test_seeded_demo_rows_are_in_no_queue_of_the_jobs(years_later):
    # Demo rows are created never due (operations.demo.NEVER): no refresh, detection or
    # AI queue takes them, now or much later.
    from creators.queries import accounts_due_for_detection, accounts_due_for_stats
    from posts.queries import posts_ai_queue, posts_due_for_refresh

    seed(*SMALL)
    later = timezone.now() + timedelta(days=365 * years_later)

    assert Post.objects.filter(processing_status=ProcessingStatus.PENDING, is_trial=False).exists()
    assert not posts_due_for_refresh(now=later).exists()
    assert not posts_ai_queue(now=later).exists()
    assert not accounts_due_for_stats(now=later).exists()
    assert not accounts_due_for_detection(now=later).exists()


def test_the_demos_ai_failures_never_claim_an_existing_category_is_missing():
    seed("--accounts", "6", "--posts", "400", "--days", "30")

    failed = Post.objects.filter(processing_status=ProcessingStatus.FAILED)
    errors = set(failed.values_list("ai_error", flat=True))
    named = {
        match.group(1) for error in errors if (match := re.search(r"category '([^']+)'", error))
    }
    assert named, errors  # the demo shows an answer outside the taxonomy
    existing = set(Category.objects.values_list("name", flat=True))
    assert "Motivation" in existing
    assert not named & existing
    # Worded as the classification job words them.
    assert all(
        error.startswith("Invalid answer (after one retry): ") or "(attempt " in error
        for error in errors
    )
