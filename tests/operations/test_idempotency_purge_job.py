"""The daily `purge_idempotency_records` job: Idempotency-Key answers past their 24 h TTL are
deleted (the table stays small), fresher ones still answer a retried create."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import IdempotencyRecord
from operations import jobs
from operations.models import JobRun, JobStatus
from operations.schedules import SCHEDULES
from tests.settings_app.factories import UserFactory

pytestmark = pytest.mark.django_db


def record(key: str, age: timedelta) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        user=UserFactory(),
        scope="POST /api/v1/publishing/scheduled-posts/",
        key=key,
        request_hash="0" * 64,
        status_code=201,
        response_body={"id": 1},
        created_at=timezone.now() - age,
    )


def test_the_daily_purge_deletes_only_the_answers_past_their_ttl():
    record("old", timedelta(hours=25))
    record("fresh", timedelta(hours=23))
    run = JobRun.objects.get(pk=jobs.purge_idempotency_records())
    assert run.status == JobStatus.SUCCEEDED and run.items_ok == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_purge_is_declared_daily():
    declared = SCHEDULES["purge_idempotency_records"]
    assert declared["func"] == "operations.jobs.purge_idempotency_records"
    assert declared["schedule_type"] == "D"
