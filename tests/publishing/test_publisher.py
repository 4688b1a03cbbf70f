"""The publisher's state machine against an in-test fake of the platform steps (the real
clients and fake servers come with platforms/publishers/): checkpoints before the next call,
the commit marker before the irreversible call, reconciliation instead of retries once a
commit started, and zero duplicate remote posts whatever fails."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from publishing.choices import ConnectionStatus, TargetState
from publishing.models import PublishTarget
from publishing.services.publisher import publishing_pass, targets_claim_due
from publishing.services.scheduling import connection_targets_resume
from publishing.services.steps import UNKNOWN, Outcome, PublishedRef, PublishError
from tests.publishing.factories import PublishTargetFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The process dies: nothing after it runs (not an Exception the publisher could catch)."""


class FakePlatform:
    """Counts the posts it creates; faults are queued per step ("prepare", "commit",
    "reconcile"): an exception to raise, or "post_then_timeout" / "post_then_die" (the post is
    created, then the answer is lost), or for reconcile a value to return."""

    def __init__(self):
        self.posts: dict[str, PublishedRef] = {}  # container id -> the post made from it
        self.faults: dict[str, list] = {"prepare": [], "commit": [], "reconcile": []}
        self.calls = {"prepare": 0, "commit": 0, "reconcile": 0}
        self.seen_at_commit: list[tuple[dict, datetime | None]] = []

    def __call__(self, platform: str) -> "FakePlatform":
        return self

    def _fault(self, step: str):
        return self.faults[step].pop(0) if self.faults[step] else None

    def prepare(self, request, checkpoint):
        self.calls["prepare"] += 1
        handle = dict(request.remote_handle) or {"container_id": f"c{request.target_id}"}
        checkpoint(handle)
        fault = self._fault("prepare")
        if isinstance(fault, BaseException):
            raise fault
        return {**handle, "status": "FINISHED"}

    def commit(self, request, handle):
        self.calls["commit"] += 1
        row = PublishTarget.objects.get(pk=request.target_id)
        self.seen_at_commit.append((row.remote_handle, row.commit_started_at))
        fault = self._fault("commit")
        if isinstance(fault, BaseException) and not isinstance(fault, WorkerKilled):
            raise fault
        ref = self._post(handle)
        if fault == "post_then_timeout":
            raise TimeoutError("read timed out")
        if isinstance(fault, WorkerKilled):
            raise fault
        return ref

    def _post(self, handle) -> PublishedRef:
        container = handle["container_id"]
        assert container not in self.posts, "a container is published once"
        ref = PublishedRef(f"m{len(self.posts) + 1}", f"https://www.instagram.com/p/M{container}/")
        self.posts[container] = ref
        return ref

    def reconcile(self, request):
        self.calls["reconcile"] += 1
        fault = self._fault("reconcile")
        if fault is not None:
            return None if fault == "absent" else fault
        return self.posts.get(request.remote_handle.get("container_id"))


@pytest.fixture
def fake():
    return FakePlatform()


@pytest.fixture
def target():
    post = ScheduledPostFactory(scheduled_at=timezone.now() - timedelta(minutes=1))
    return PublishTargetFactory(post=post)


def run(fake, *, after: timedelta = timedelta(0)):
    publishing_pass(publisher_for=fake, now=timezone.now() + after)


def later(target: PublishTarget) -> timedelta:
    """How far ahead a pass must look to find `target` due again."""
    target.refresh_from_db()
    return target.next_attempt_at - timezone.now() + timedelta(seconds=1)


def test_a_due_target_is_published_once_with_its_handle_checkpointed_before_the_commit(
    fake, target
):
    run(fake)

    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert target.published_url == f"https://www.instagram.com/p/Mc{target.pk}/"
    assert target.attempt == 1 and target.lease_until is None
    handle, commit_started_at = fake.seen_at_commit[0]
    assert handle["container_id"] == f"c{target.pk}"  # in the row before the commit
    assert commit_started_at is not None  # the marker, before the irreversible call
    log = target.attempts.get()
    assert (log.outcome, log.remote_handle["container_id"]) == ("published", f"c{target.pk}")
    run(fake)
    assert len(fake.posts) == 1 and fake.calls["commit"] == 1


def test_a_target_is_claimed_by_one_worker_only(target):
    now = timezone.now()

    assert targets_claim_due(now=now, limit=10) == [target.pk]
    assert targets_claim_due(now=now, limit=10) == []


def test_a_timeout_after_the_post_was_created_is_reconciled_to_published_without_a_second_post(
    fake, target
):
    fake.faults["commit"].append("post_then_timeout")

    run(fake)
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE
    assert target.pending_outcome == Outcome.RETRY

    run(fake)
    run(fake, after=timedelta(hours=1))

    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert target.published_url == f"https://www.instagram.com/p/Mc{target.pk}/"
    assert len(fake.posts) == 1 and fake.calls["commit"] == 1
    steps = list(target.attempts.order_by("started_at", "id").values_list("step", "outcome"))
    assert steps == [("publish", "awaiting_remote"), ("reconcile", "published")]


def test_a_worker_dying_mid_publish_is_reconciled_after_its_lease_not_republished(fake, target):
    fake.faults["commit"].append(WorkerKilled())
    with pytest.raises(WorkerKilled):
        run(fake)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHING  # the dead worker left it claimed

    run(fake)  # lease still running: nobody touches it
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHING
    run(fake, after=timedelta(seconds=settings.PUBLISH_LEASE_SECONDS + 1))

    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert len(fake.posts) == 1 and fake.calls["commit"] == 1
    assert target.attempts.filter(step="lease_expired").count() == 1


def test_a_worker_dying_before_the_commit_goes_through_reconciliation_then_publishes_once(
    fake, target
):
    fake.faults["prepare"].append(WorkerKilled())
    with pytest.raises(WorkerKilled):
        run(fake)

    run(fake, after=timedelta(seconds=settings.PUBLISH_LEASE_SECONDS + 1))
    target.refresh_from_db()
    # Not straight back: reconciliation saw no commit, so it is scheduled again with backoff.
    assert target.state == TargetState.SCHEDULED
    assert target.error_class == "stopped"
    run(fake, after=later(target))

    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert len(fake.posts) == 1
    assert target.remote_handle["container_id"] == f"c{target.pk}"  # the checkpoint was reused


def test_retryable_errors_back_off_then_fail_for_good(fake, target, settings):
    settings.PUBLISH_MAX_RETRIES = 3
    error = PublishError("Server error", outcome=Outcome.RETRY, error_class="ig_2207001")
    fake.faults["prepare"].extend([error] * 10)
    waits = []

    pass_at = timezone.now()
    publishing_pass(publisher_for=fake, now=pass_at)
    for _ in range(3):
        target.refresh_from_db()
        assert target.state == TargetState.SCHEDULED
        waits.append(round((target.next_attempt_at - pass_at).total_seconds()))
        pass_at = target.next_attempt_at
        publishing_pass(publisher_for=fake, now=pass_at)

    target.refresh_from_db()
    assert waits == [60, 120, 240]
    assert target.state == TargetState.FAILED
    assert target.error_class == "ig_2207001"
    assert "Gave up after 4 tries" in target.error
    assert fake.calls["commit"] == 0 and target.attempts.count() == 4


def test_a_retry_after_from_the_platform_is_honoured(fake, target):
    fake.faults["prepare"].append(PublishError("429", outcome=Outcome.RETRY, retry_after=900))

    run(fake)

    target.refresh_from_db()
    assert 899 <= (target.next_attempt_at - target.updated_at).total_seconds() <= 901


def test_a_quota_error_defers_the_target_until_the_window_resets(fake, target):
    resets = timezone.now() + timedelta(hours=5)
    fake.faults["prepare"].append(
        PublishError(
            "Daily cap", outcome=Outcome.DEFER, error_class="ig_2207042", defer_until=resets
        )
    )

    run(fake)
    target.refresh_from_db()
    assert (target.state, target.next_attempt_at) == (TargetState.DEFERRED, resets)
    run(fake, after=timedelta(hours=4))
    target.refresh_from_db()
    assert target.state == TargetState.DEFERRED

    run(fake, after=timedelta(hours=5, seconds=1))
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and len(fake.posts) == 1


def test_an_expired_authorization_keeps_the_targets_waiting_until_reconnected(fake, target):
    sibling = PublishTargetFactory(
        connection=target.connection,
        post=ScheduledPostFactory(scheduled_at=timezone.now() - timedelta(minutes=1)),
    )
    fake.faults["prepare"].append(
        PublishError("Graph 190", outcome=Outcome.NEEDS_REAUTH, error_class="graph_190")
    )

    run(fake)
    run(fake, after=timedelta(days=2))

    target.refresh_from_db()
    sibling.refresh_from_db()
    target.connection.refresh_from_db()
    assert {target.state, sibling.state} == {TargetState.NEEDS_REAUTH}
    assert target.connection.status == ConnectionStatus.NEEDS_REAUTH
    assert fake.calls["prepare"] == 1  # the sibling waited without a call to the platform

    target.connection.status = ConnectionStatus.CONNECTED
    target.connection.save(update_fields=["status"])
    assert connection_targets_resume(target.connection) == 2
    run(fake)
    assert set(PublishTarget.objects.values_list("state", flat=True)) == {TargetState.PUBLISHED}
    assert len(fake.posts) == 2


def test_a_final_error_fails_the_target_at_once(fake, target):
    fake.faults["prepare"].append(
        PublishError("Aspect ratio", outcome=Outcome.FINAL, error_class="ig_2207009")
    )

    run(fake)

    target.refresh_from_db()
    assert (target.state, target.error_class) == (TargetState.FAILED, "ig_2207009")
    assert target.attempts.get().outcome == "final"


def test_an_expired_container_is_dropped_and_a_new_one_made(fake, target):
    target.remote_handle = {"container_id": "old"}
    target.save(update_fields=["remote_handle"])
    fake.faults["prepare"].append(PublishError("EXPIRED", outcome=Outcome.NEW_CONTAINER))

    run(fake)
    target.refresh_from_db()
    assert target.remote_handle == {}
    run(fake, after=later(target))

    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert list(fake.posts) == [f"c{target.pk}"]


def test_an_outcome_still_unknown_after_the_bounded_time_is_unconfirmed_never_reposted(
    fake, target
):
    fake.faults["commit"].append(ConnectionResetError("dropped"))
    fake.faults["reconcile"].extend([UNKNOWN] * 20)

    run(fake)
    run(fake, after=timedelta(minutes=5))
    target.refresh_from_db()
    assert target.state == TargetState.AWAITING_REMOTE
    run(fake, after=timedelta(seconds=settings.PUBLISH_UNCONFIRMED_AFTER_SECONDS + 60))
    run(fake, after=timedelta(days=3))

    target.refresh_from_db()
    assert target.state == TargetState.UNCONFIRMED
    assert "not published again automatically" in target.error
    assert fake.calls["commit"] == 1 and fake.posts == {}


def test_a_commit_proven_absent_by_reconciliation_takes_its_error_class(fake, target):
    fake.faults["commit"].append(
        PublishError("Privacy level mismatch", outcome=Outcome.FINAL, error_class="tt_privacy")
    )
    fake.faults["reconcile"].append("absent")

    run(fake)
    run(fake)

    target.refresh_from_db()
    assert (target.state, target.error_class) == (TargetState.FAILED, "tt_privacy")
    assert target.commit_started_at is None and fake.posts == {}


def test_one_pass_keeps_claiming_batches_until_nothing_is_due(fake, settings):
    settings.PUBLISH_BATCH_SIZE = 3
    due = timezone.now() - timedelta(minutes=1)
    targets = [PublishTargetFactory(post=ScheduledPostFactory(scheduled_at=due)) for _ in range(8)]
    report = publishing_pass(publisher_for=fake, now=timezone.now())
    assert report.ok == 8 and len(fake.posts) == 8
    for target in targets:
        target.refresh_from_db()
        assert target.state == TargetState.PUBLISHED


def test_a_spent_time_budget_leaves_the_rest_for_the_next_pass(fake, settings):
    settings.PUBLISH_BATCH_SIZE = 3
    due = timezone.now() - timedelta(minutes=1)
    for _ in range(8):
        PublishTargetFactory(post=ScheduledPostFactory(scheduled_at=due))
    first = publishing_pass(publisher_for=fake, now=timezone.now(), time_budget=0)
    assert first.ok == 3  # one batch, then the budget is spent
    second = publishing_pass(publisher_for=fake, now=timezone.now())
    assert second.ok == 5 and len(fake.posts) == 8
