"""Fake Instagram Graph insights and YouTube Analytics servers on 127.0.0.1, in the style of
tests/platforms/publish_fakes.py (same server, token check and fault queue).

No recorded sample of these endpoints is in shared/samples: the bodies below follow the shapes
documented by Meta (IG User Insights, `follower_demographics` with `metric_type=total_value`
and one `breakdown`) and Google (YouTube Analytics API v2 `reports.query` result tables).
"""

from __future__ import annotations

from typing import Any

from tests.platforms.publish_fakes import GRAPH_190, Answer, Call, FakePlatform

IG_USER = "17841400000000001"

#: Followers per breakdown value, as an account would report them.
FOLLOWERS = {
    "age": {"18-24": 1200, "25-34": 3400, "35-44": 800},
    "gender": {"F": 3100, "M": 2200, "U": 100},
    "country": {"US": 2500, "GB": 900, "DE": 400},
    "city": {"London, England": 700, "New York, New York": 650},
}


class FakeGraphInsights(FakePlatform):
    """GET /{version}/{ig-user-id}/insights?metric=follower_demographics&breakdown=…"""

    def __init__(self, followers: dict[str, dict[str, int]] | None = None) -> None:
        super().__init__()
        self.followers = FOLLOWERS if followers is None else followers

    def route(self, call: Call) -> tuple[str, Any]:
        return "insights", self._insights

    def unauthorized(self) -> Answer:
        return Answer(400, GRAPH_190)

    def _insights(self, call: Call) -> Answer:
        segments = [s for s in call.path.split("/") if s][1:]
        breakdown = call.query.get("breakdown", "")
        if (
            segments != [IG_USER, "insights"]
            or call.query.get("metric") != "follower_demographics"
            or call.query.get("metric_type") != "total_value"
            or breakdown not in FOLLOWERS
        ):
            return Answer(
                400,
                {
                    "error": {
                        "message": "(#100) Invalid parameter",
                        "type": "OAuthException",
                        "code": 100,
                        "fbtrace_id": "AbCdEf",
                    }
                },
            )
        results = [
            {"dimension_values": [key], "value": value}
            for key, value in self.followers.get(breakdown, {}).items()
        ]
        return Answer(
            200,
            {
                "data": [
                    {
                        "name": "follower_demographics",
                        "period": "lifetime",
                        "title": "Follower demographics",
                        "description": (
                            "The demographic characteristics of followers, including countries,"
                            " cities and gender distribution."
                        ),
                        "total_value": {
                            "breakdowns": [{"dimension_keys": [breakdown], "results": results}]
                        },
                        "id": f"{IG_USER}/insights/follower_demographics/lifetime",
                    }
                ]
            },
        )


AGE_GENDER_ROWS = [
    ["age18-24", "female", 20.5],
    ["age18-24", "male", 14.5],
    ["age25-34", "female", 30.0],
    ["age25-34", "male", 25.0],
    ["age35-44", "male", 10.0],
]
COUNTRY_ROWS = [["US", 52000], ["IN", 31000], ["BR", 9000]]


class FakeYouTubeAnalytics(FakePlatform):
    """GET /v2/reports?ids=channel==MINE&metrics=…&dimensions=…&startDate&endDate"""

    def route(self, call: Call) -> tuple[str, Any]:
        return "reports", self._reports

    def unauthorized(self) -> Answer:
        return Answer(
            401,
            {
                "error": {
                    "code": 401,
                    "message": "Request had invalid authentication credentials.",
                    "errors": [
                        {
                            "message": "Invalid Credentials",
                            "domain": "global",
                            "reason": "authError",
                        }
                    ],
                    "status": "UNAUTHENTICATED",
                }
            },
        )

    def _reports(self, call: Call) -> Answer:
        q = call.query
        if (
            call.path != "/v2/reports"
            or q.get("ids") != "channel==MINE"
            or not q.get("startDate")
            or not q.get("endDate")
        ):
            return Answer(400, {"error": {"code": 400, "message": "Required parameter missing"}})
        if q.get("dimensions") == "ageGroup,gender" and q.get("metrics") == "viewerPercentage":
            headers = [("ageGroup", "DIMENSION", "STRING"), ("gender", "DIMENSION", "STRING")]
            headers.append(("viewerPercentage", "METRIC", "FLOAT"))
            rows = AGE_GENDER_ROWS
        elif q.get("dimensions") == "country" and q.get("metrics") == "views":
            headers = [("country", "DIMENSION", "STRING"), ("views", "METRIC", "INTEGER")]
            rows = COUNTRY_ROWS
        else:
            return Answer(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "The query is not supported.",
                        "errors": [{"reason": "badRequest", "domain": "global"}],
                    }
                },
            )
        return Answer(
            200,
            {
                "kind": "youtubeAnalytics#resultTable",
                "columnHeaders": [
                    {"name": n, "columnType": c, "dataType": d} for n, c, d in headers
                ],
                "rows": rows,
            },
        )
