"""LOG_FORMAT=json: one JSON object per line, with each job run's and provider error's fields."""

import json
import logging

import pytest

from core.logging import JsonFormatter
from operations import jobs
from tests.operations import fakes

pytestmark = pytest.mark.django_db


def test_the_json_formatter_writes_one_object_per_line_with_the_extra_fields():
    record = logging.makeLogRecord(
        {"name": "x", "levelname": "INFO", "msg": "a %s\nb", "args": ("c",), "job": "j", "n": 3}
    )

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "a c\nb" and entry["job"] == "j" and entry["n"] == 3
    assert {"time", "level", "logger"} <= set(entry)


def test_every_job_run_logs_one_line_with_job_status_duration_and_items(
    settings, monkeypatch, caplog
):
    fake = fakes.install(settings, monkeypatch)
    fake.posts["OK1"] = fakes.post_stats("OK1")
    from tests.posts.factories import PostFactory

    PostFactory(post_id="OK1")

    with caplog.at_level(logging.INFO, logger="operations.jobs"):
        jobs.refresh_post_stats()

    runs = [r for r in caplog.records if getattr(r, "event", "") == "job_run"]
    assert len(runs) == 1
    entry = json.loads(JsonFormatter().format(runs[0]))
    assert entry["job"] == "refresh_post_stats" and entry["status"] == "succeeded"
    assert entry["items_ok"] == 1 and entry["items_failed"] == 0
    assert isinstance(entry["duration_s"], float)


def test_a_refused_admin_page_is_logged_as_one_line_without_a_traceback(client, role_user, caplog):
    client.force_login(role_user("Editor"))

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/admin/finance/payoutstatement/")

    assert response.status_code == 403
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in refused] == [
        "Forbidden (Permission denied): /admin/finance/payoutstatement/"
    ]
    assert refused[0].exc_info is None
    assert "\n" not in logging.Formatter().format(refused[0])
