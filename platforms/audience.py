"""Audience demographics of a connected account, from the platforms' insights endpoints.

- Instagram (Graph API, Instagram or Facebook Login token): `GET /{ig-user-id}/insights?
  metric=follower_demographics&period=lifetime&metric_type=total_value&breakdown=<b>` for each
  breakdown (age, gender, country, city); the answer's `total_value.breakdowns[].results[]`
  carry `dimension_values` and a follower count `value`. An account with fewer than 100
  followers in a breakdown gets no data for it (the platform's rule): an empty list.
- YouTube Analytics API v2 (Google token, yt-analytics.readonly): `GET /v2/reports?ids=
  channel==MINE&metrics=viewerPercentage&dimensions=ageGroup,gender` and `metrics=views&
  dimensions=country`; answers are result tables (`columnHeaders`, `rows`).
- TikTok offers no audience demographics to third-party apps: nothing to ask.

Calls go through `platforms.http` (allow-list, timeouts, retries) with the publishers' typed
errors (`platforms.publishers.errors`). Plain dataclasses in and out; no models.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests

from platforms.http import retry_after_seconds
from platforms.publishers.base import PublisherClient
from platforms.publishers.errors import PublishError, classify_graph, classify_youtube

INSTAGRAM_BREAKDOWNS = ("age", "gender", "country", "city")
INSTAGRAM_SOURCE = "instagram_follower_demographics"
YOUTUBE_SOURCE = "youtube_analytics"
#: Platforms whose APIs give a connected account's audience.
PLATFORMS_WITH_AUDIENCE = frozenset({"instagram", "youtube"})


@dataclass(frozen=True)
class Bucket:
    """One bucket of a dimension: "age" "25-34" → 1 234 followers (or 12.5 % of viewers)."""

    dimension: str  # age, gender, country, city
    key: str
    value: float
    unit: str  # followers, viewer_percent, views


@dataclass
class Audience:
    """What a platform said of an account's audience; `source` names the endpoint."""

    source: str
    buckets: list[Bucket] = field(default_factory=list)

    def by_dimension(self) -> dict[str, list[Bucket]]:
        grouped: dict[str, list[Bucket]] = defaultdict(list)
        for bucket in self.buckets:
            grouped[bucket.dimension].append(bucket)
        return dict(grouped)


def parse_follower_demographics(body: dict[str, Any], breakdown: str) -> list[Bucket]:
    """The buckets of one `follower_demographics` answer (one breakdown)."""
    buckets: list[Bucket] = []
    for metric in body.get("data") or []:
        if metric.get("name") != "follower_demographics":
            continue
        for part in (metric.get("total_value") or {}).get("breakdowns") or []:
            keys = part.get("dimension_keys") or [breakdown]
            position = keys.index(breakdown) if breakdown in keys else 0
            for result in part.get("results") or []:
                values = result.get("dimension_values") or []
                if len(values) <= position or result.get("value") is None:
                    continue
                buckets.append(
                    Bucket(breakdown, str(values[position]), float(result["value"]), "followers")
                )
    return buckets


def parse_result_table(body: dict[str, Any], *, metric: str, unit: str) -> list[Bucket]:
    """The buckets of a YouTube Analytics result table; with two dimensions (ageGroup, gender)
    each is summed over the other (viewer percentages add up per age and per gender)."""
    headers = [h.get("name") for h in body.get("columnHeaders") or []]
    if metric not in headers:
        return []
    value_at = headers.index(metric)
    names = {"ageGroup": "age", "gender": "gender", "country": "country", "city": "city"}
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for row in body.get("rows") or []:
        for index, header in enumerate(headers):
            if header in names and row[value_at] is not None:
                key = str(row[index]).removeprefix("age") if header == "ageGroup" else row[index]
                sums[(names[header], str(key))] += float(row[value_at])
    return [Bucket(dim, key, round(value, 4), unit) for (dim, key), value in sums.items()]


class InstagramAudienceClient(PublisherClient):
    """`follower_demographics` of one IG professional account."""

    platform = "instagram"

    def map_error(self, response: requests.Response, payload: Any) -> PublishError:
        return classify_graph(payload, response.status_code, headers=response.headers)

    def follower_demographics(self, user_id: str) -> Audience:
        """Every breakdown of the account's followers (one call each)."""
        audience = Audience(INSTAGRAM_SOURCE)
        for breakdown in INSTAGRAM_BREAKDOWNS:
            body = self.call_json(
                "GET",
                f"{self.base_url}/{user_id}/insights",
                params={
                    "metric": "follower_demographics",
                    "period": "lifetime",
                    "metric_type": "total_value",
                    "breakdown": breakdown,
                },
                bucket="instagram.insights",
                idempotent=True,
            )
            audience.buckets.extend(parse_follower_demographics(body, breakdown))
        return audience


class YouTubeAnalyticsClient(PublisherClient):
    """Viewer age, gender and country of the token's own channel."""

    platform = "youtube"

    def map_error(self, response: requests.Response, payload: Any) -> PublishError:
        return classify_youtube(
            payload,
            response.status_code,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )

    def _report(self, start: date, end: date, **params: str) -> dict[str, Any]:
        return self.call_json(
            "GET",
            f"{self.base_url}/v2/reports",
            params={
                "ids": "channel==MINE",
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
                **params,
            },
            bucket="youtube.analytics",
            idempotent=True,
        )

    def demographics(self, *, start: date, end: date) -> Audience:
        """Viewer percentages by age group and gender, and views by country, over
        [start, end] (the API's inclusive dates)."""
        audience = Audience(YOUTUBE_SOURCE)
        age_gender = self._report(
            start, end, metrics="viewerPercentage", dimensions="ageGroup,gender"
        )
        audience.buckets.extend(
            parse_result_table(age_gender, metric="viewerPercentage", unit="viewer_percent")
        )
        countries = self._report(
            start, end, metrics="views", dimensions="country", sort="-views", maxResults="50"
        )
        audience.buckets.extend(parse_result_table(countries, metric="views", unit="views"))
        return audience
