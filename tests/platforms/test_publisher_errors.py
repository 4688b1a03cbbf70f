"""The error table (specs/publishing.md §4) against the documented catalogs and recorded error
bodies in samples/publish (copied from shared/samples/publish)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from platforms.publishers import errors
from platforms.publishers.errors import Defer, Final, NewContainer, Reauth, Retry

PUBLISH = Path(__file__).resolve().parent / "samples" / "publish"
NOW = datetime(2024, 3, 9, 20, 0, tzinfo=UTC)


def sample(name):
    return json.loads((PUBLISH / f"{name}.json").read_text())


# The spec's table wins where the catalog's own column differs (2207003, 2207032: retry).
IG_ACTIONS = {2207003: Retry, 2207020: NewContainer, 2207001: Retry, 2207032: Retry}
IG_ACTIONS |= {2207053: NewContainer, 2207057: Final, 2207004: Final, 2207042: Defer}


@pytest.mark.parametrize("row", sample("graph_13_error_codes_catalog")["instagram_publish"])
def test_every_documented_instagram_publish_error_has_its_action(row):
    body = {"error": {"message": row["msg"], "code": row["code"], "error_subcode": row["subcode"]}}
    action = errors.classify_graph(body, row["http"], now=NOW)
    assert type(action) is IG_ACTIONS[row["subcode"]]
    assert row["msg"] in str(action)


GENERIC = {"retry": Retry, "rate_limited": Retry, "reauth": Reauth}
GENERIC |= {"refresh_or_reauth": Reauth, "defer": Defer, "final": Final}


@pytest.mark.parametrize("row", sample("graph_13_error_codes_catalog")["graph_generic"])
def test_every_documented_graph_code_has_its_action(row):
    code = 250 if row["code"] == "200-299" else row["code"]
    action = errors.classify_graph({"error": {"message": row["name"], "code": code}}, 400)
    assert type(action) is GENERIC[row["class"]]


def test_recorded_graph_bodies_map_to_reauth_and_final():
    assert type(errors.classify_graph(sample("graph_11_error_generic_190_460"), 400)) is Reauth
    assert type(errors.classify_graph(sample("graph_12_error_100_permission"), 400)) is Final
    too_large = errors.classify_graph(sample("ig_10_error_image_too_large"), 400)
    assert "less than 8 MiB" in str(too_large) and too_large.rule == "graph_36000_2207004"


def test_is_transient_and_usage_headers_mean_retry_with_a_wait():
    assert type(errors.classify_graph({"error": {"code": 99, "is_transient": True}}, 400)) is Retry
    usage = '{"1784": [{"call_count": 95, "estimated_time_to_regain_access": 7}]}'
    action = errors.classify_graph(
        {"error": {"code": 4}}, 400, headers={"x-business-use-case-usage": usage}
    )
    assert action.retry_after == 7 * 60
    assert errors.graph_usage_wait({"X-App-Usage": '{"call_count": 91}'}) == 3600


TIKTOK_REASONS = {"final": Final, "retryable": Retry, "retry": Retry, "defer": Defer}


@pytest.mark.parametrize(
    ("reason", "guidance"), sample("tt_24_status_and_fail_reason_catalog")["fail_reason"].items()
)
def test_every_tiktok_fail_reason_has_its_action(reason, guidance):
    action = errors.classify_tiktok(reason, now=NOW)
    assert type(action) is TIKTOK_REASONS[guidance.split()[0].strip("()")]


INIT = {"spam_risk_too_many_posts": Defer, "reached_active_user_cap": Defer}
INIT |= {"access_token_invalid": Reauth, "scope_not_authorized": Reauth}
INIT |= {"rate_limit_exceeded": Retry, "": Retry, "spam_risk_too_many_pending_share": Defer}


@pytest.mark.parametrize(
    "row",
    [
        row
        for rows in sample("tt_25_init_error_codes_catalog").values()
        if isinstance(rows, list)
        for row in rows
    ],
)
def test_every_tiktok_init_error_has_its_action(row):
    status = 500 if row["http"] == "5xx" else int(str(row["http"]).split()[0])
    action = errors.classify_tiktok(row["code"], "", status, now=NOW)
    assert type(action) is INIT.get(row["code"], Final)


def test_the_recorded_tiktok_token_error_asks_for_reauth():
    error = sample("tt_26_error_access_token_invalid")["error"]
    action = errors.classify_tiktok(error["code"], error["message"], 401)
    assert type(action) is Reauth and "invalid or not found" in str(action)


YT = {"defer_24h": Defer, "final": Final, "defer_until_midnight_PT": Defer}
YT |= {"final_or_reauth": Final, "refresh_then_reauth": Reauth, "backoff": Retry}
YT |= {
    "probe_session_then_resume": Retry,
    "restart_upload_from_0 (nothing was created)": NewContainer,
}


@pytest.mark.parametrize("row", sample("yt_36_error_reasons_catalog")["errors"])
def test_every_youtube_reason_has_its_action(row):
    statuses = [int(s) for s in str(row["http"]).split("/")]
    reasons = [] if row["reason"].startswith("(") else row["reason"].split("|")
    for status in statuses:
        for reason in reasons or [""]:
            body = {"error": {"errors": [{"reason": reason}]}} if reason else None
            assert type(errors.classify_youtube(body, status, now=NOW)) is YT[row["class"]]


def test_youtube_quota_waits_for_pacific_midnight_and_the_upload_cap_a_day():
    quota = errors.classify_youtube(sample("yt_34_error_quota_exceeded"), 403, now=NOW)
    # 20:00 UTC on 9 March is 12:00 in Los Angeles: the reset is that night, 08:00 UTC.
    assert quota.until == datetime(2024, 3, 10, 8, 0, tzinfo=UTC)
    assert "<a" not in str(quota)
    cap = errors.classify_youtube(sample("yt_35_error_upload_limit_exceeded"), 400, now=NOW)
    assert type(cap) is Defer and (cap.until - NOW).total_seconds() == 86400
