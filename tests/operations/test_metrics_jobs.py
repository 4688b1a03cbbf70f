"""The metrics follow the refresh jobs: touched accounts right away, every account nightly."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from operations.jobs import recompute_account_metrics, refresh_post_stats
from operations.models import JobRun
from platforms.providers.base import PostStats
from tests.creators.factories import AccountFactory
from tests.operations import fakes
from tests.posts.factories import PostFactory, PostSnapshotFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def test_a_refresh_pass_recomputes_the_metrics_of_the_accounts_it_touched(settings, monkeypatch):
    fake = fakes.install(settings, monkeypatch)
    touched, untouched = AccountFactory(), AccountFactory()
    post = PostFactory(account=touched, post_id="P1", post_date=NOW - timedelta(days=20))
    PostSnapshotFactory(post=post, captured_at=NOW - timedelta(days=10), views=1_000)
    PostFactory(account=untouched, post_id="P2", next_refresh_at=NOW + timedelta(days=1))
    fake.posts["P1"] = PostStats(platform="instagram", post_id="P1", views=4_000, likes=100)

    refresh_post_stats(now=NOW)

    touched.refresh_from_db()
    untouched.refresh_from_db()
    assert touched.views_last_7d == 3_000
    assert touched.total_views == 4_000
    assert touched.metrics_computed_at == NOW
    assert untouched.metrics_computed_at is None


def test_the_nightly_pass_recomputes_every_account_and_records_its_run():
    accounts = AccountFactory.create_batch(3)

    recompute_account_metrics(now=NOW)

    run = JobRun.objects.get(job="recompute_account_metrics")
    assert (run.status, run.items_ok) == ("succeeded", 3)
    assert {a.metrics_computed_at for a in type(accounts[0]).objects.all()} == {NOW}


def test_the_nightly_pass_is_installed_with_the_other_schedules():
    call_command("sync_schedules")
    assert Schedule.objects.get(name="recompute_account_metrics").schedule_type == Schedule.DAILY


def test_the_payments_job_drafts_the_statements_and_records_its_run():
    from finance.models import PayoutStatement
    from operations.jobs import process_creator_payments
    from tests.finance.factories import FinanceItemFactory

    FinanceItemFactory(started_date=NOW.date() - timedelta(days=90))

    process_creator_payments(now=NOW)
    process_creator_payments(now=NOW)  # at-least-once: a rerun adds nothing

    assert PayoutStatement.objects.count() == 2  # this month and the previous one
    run = JobRun.objects.filter(job="process_creator_payments").latest("started_at")
    assert run.status == "succeeded"
