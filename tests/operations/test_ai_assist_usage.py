"""AI assistance cost and calls per day and feature (core.AIUsage), on the operations dashboard
beside classification: one GROUP BY whatever the number of answers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.ai_usage import ai_usage_record
from core.models import AIUsage
from operations.queries import ai_assist_usage_by_day

pytestmark = pytest.mark.django_db
URL = "/admin/operations/jobrun/dashboard/"


def test_answers_are_summed_per_day_and_feature_failed_ones_counted(settings):
    settings.AI_PRICE_INPUT_PER_1M, settings.AI_PRICE_OUTPUT_PER_1M = 0.15, 0.60
    now = timezone.now()
    for _ in range(3):
        ai_usage_record("caption", prompt_tokens=400, completion_tokens=100, calls=1)
    ai_usage_record("caption", error="429", calls=0)
    ai_usage_record("thread_summary", prompt_tokens=1000, completion_tokens=50, calls=2)
    old = ai_usage_record("quality_check", prompt_tokens=10, calls=1)
    AIUsage.objects.filter(pk=old.pk).update(at=now - timedelta(days=3))
    ai_usage_record("brief_to_tasks", prompt_tokens=10, calls=1)
    AIUsage.objects.filter(feature="brief_to_tasks").update(at=now - timedelta(days=30))

    with CaptureQueriesContext(connection) as queries:
        rows = ai_assist_usage_by_day(now=now)
    assert len(queries) == 1
    today = [r for r in rows if r["day"] == rows[0]["day"]]
    assert [(r["feature"], r["answers"], r["failed"], r["calls"]) for r in today] == [
        ("caption", 4, 1, 3),
        ("thread_summary", 1, 0, 2),
    ]
    caption = today[0]
    assert (caption["prompt_tokens"], caption["completion_tokens"]) == (1200, 300)
    assert str(caption["cost_usd"]) == "0.00036"  # 1,200 * 0.15 + 300 * 0.60 per 1M
    assert [r["feature"] for r in rows[2:]] == ["quality_check"]  # the brief 30 days ago is out


def test_the_dashboard_shows_the_per_feature_table(superuser_client):
    ai_usage_record("caption", prompt_tokens=400, completion_tokens=100, calls=1)
    page = superuser_client.get(URL).content.decode()
    assert 'id="ai-assist-usage"' in page and "<td>caption</td>" in page


def test_without_answers_the_dashboard_says_so(superuser_client):
    page = superuser_client.get(URL).content.decode()
    assert 'id="ai-assist-usage-none"' in page
