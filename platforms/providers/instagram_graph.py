"""Instagram Graph API, Business Discovery (`INSTAGRAM_GRAPH_TOKEN`, `INSTAGRAM_GRAPH_USER_ID`).

Our own professional account looks up other business and creator accounts by username:
profile counts and their recent media (likes, comments). It gives **no views**, and nothing for
personal accounts. A post is found through its author's media list, so its ref needs the
username. The long-lived token lasts 60 days: refresh it before (`map_token_exchange`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from platforms import http
from platforms.credentials import credential
from platforms.urls import UnsupportedURL, parse_url

from .base import (
    AccountToken,
    Capabilities,
    NotFound,
    PostRef,
    PostResult,
    PostStats,
    ProfileRef,
    ProfileStats,
    Provider,
    ProviderError,
    RateLimited,
)
from .mapping import detect_format, to_datetime, to_int

NAME = "instagram_graph"
PROFILE_FIELDS = (
    "id,username,name,biography,profile_picture_url,followers_count,follows_count,media_count"
)
MEDIA_FIELDS = (
    "id,caption,comments_count,like_count,media_type,media_product_type,media_url,"
    "thumbnail_url,permalink,timestamp"
)
PAGE_SIZE = 50
# Graph error codes: throttling (app, user, page, custom), expired token, unknown alias.
_RATE_CODES = {4, 17, 32, 613, 80001, 80002}
_TOKEN_CODES = {102, 190}
_NOT_FOUND_CODES = {803}


# --- Mapping (pure) ---------------------------------------------------------------------------
def map_profile(data: dict[str, Any]) -> ProfileStats:
    """A Business Discovery answer (or its `business_discovery` object, or our own user's
    fields) as ProfileStats."""
    user = data.get("business_discovery", data)
    return ProfileStats(
        platform="instagram",
        username=(user.get("username") or "").lower(),
        external_id=user.get("id"),
        full_name=user.get("name"),
        biography=user.get("biography"),
        profile_pic_url=user.get("profile_picture_url"),
        followers=to_int(user.get("followers_count")),
        following=to_int(user.get("follows_count")),
        media_count=to_int(user.get("media_count")),
        source=NAME,
    )


def map_media(media: dict[str, Any], *, username: str | None = None) -> PostStats:
    """One media object as PostStats: likes and comments, never views (the API has none for
    other accounts). The post id is the shortcode of its permalink."""
    media_type = media.get("media_type")
    permalink = media.get("permalink")
    shortcode = _shortcode(permalink) or media.get("shortcode") or str(media.get("id", ""))
    is_reel = media.get("media_product_type") == "REELS" or "/reel/" in (permalink or "") or None
    base_format, content_type = detect_format(
        is_carousel=media_type == "CAROUSEL_ALBUM",
        is_video=media_type == "VIDEO",
        is_short=is_reel,
    )
    return PostStats(
        platform="instagram",
        post_id=shortcode,
        url=f"https://www.instagram.com/p/{shortcode}/",
        username=(media.get("username") or username or "").lower() or None,
        post_date=to_datetime(media.get("timestamp")),
        caption=media.get("caption"),
        thumbnail_url=media.get("thumbnail_url") or media.get("media_url"),
        views=None,
        likes=to_int(media.get("like_count")),
        comments=to_int(media.get("comments_count")),
        shares=None,
        base_format=base_format,
        content_type=content_type,
        source=NAME,
    )


def media_page(data: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """The media of one Business Discovery page and its `after` cursor (None when empty).

    Nested edges carry no `next` link: a page shorter than asked is the last one."""
    media = (data.get("business_discovery") or {}).get("media") or {}
    after = ((media.get("paging") or {}).get("cursors") or {}).get("after")
    items = list(media.get("data") or [])
    return items, after if items else None


def map_insights(data: dict[str, Any]) -> dict[str, int | None]:
    """A media insights answer as {metric name: lifetime value} (our own accounts only)."""
    metrics = {}
    for metric in data.get("data") or []:
        value = (metric.get("total_value") or {}).get("value")
        if value is None:
            values = metric.get("values") or []
            value = values[-1].get("value") if values else None
        metrics[metric.get("name")] = to_int(value)
    return metrics


def map_token_exchange(
    data: dict[str, Any], *, now: datetime | None = None
) -> tuple[str, datetime]:
    """A long-lived token exchange (or refresh) answer as (token, expiry as aware UTC)."""
    token = data.get("access_token")
    seconds = to_int(data.get("expires_in"))
    if not token or seconds is None:
        raise ProviderError("Instagram Graph: the token exchange answer has no token or expiry.")
    return token, (now or timezone.now()) + timedelta(seconds=seconds)


def error_for(status: int, payload: Any) -> ProviderError | None:
    """The typed error of a Graph API error answer (`{"error": {"code", "message", …}}`)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None
    code = to_int(error.get("code"))
    message = f"Instagram Graph: {error.get('message') or status} (code {code})"
    if code in _RATE_CODES:
        return RateLimited(message)
    if code in _TOKEN_CODES:
        return ProviderError(message + "; refresh INSTAGRAM_GRAPH_TOKEN.")
    if code in _NOT_FOUND_CODES:
        return NotFound(message)
    return ProviderError(message)


def _shortcode(permalink: str | None) -> str | None:
    try:
        return parse_url(permalink).post_id if permalink else None
    except UnsupportedURL:
        return None


# --- Provider ---------------------------------------------------------------------------------
class InstagramGraphProvider(Provider):
    """Business Discovery through our own professional account."""

    name = NAME
    capabilities = Capabilities.everything_on("instagram")
    batch_size = 50

    def is_configured(self) -> bool:
        """True when both `INSTAGRAM_GRAPH_TOKEN` and `INSTAGRAM_GRAPH_USER_ID` are set."""
        return bool(credential("INSTAGRAM_GRAPH_TOKEN") and credential("INSTAGRAM_GRAPH_USER_ID"))

    def answers_with(self, token: AccountToken | None) -> bool:
        """A connected account's token with its IG user id reads the account's own node: no
        Business Discovery credentials needed."""
        return bool(token and token.access_token and token.user_id)

    def call_cost(self, operation: str, *, count: int = 1) -> int:
        """One Graph call per media page read."""
        if operation == "profiles":
            return 1
        pages = settings.INSTAGRAM_GRAPH_MEDIA_SCAN if operation == "posts" else count
        return max(1, -(-pages // PAGE_SIZE))

    def fetch_profile(self, ref: ProfileRef) -> ProfileStats:
        """Followers, follows, media count, biography and picture of a business account."""
        data = self._discover(ref.username, "{" + PROFILE_FIELDS + "}", ref.token)
        return map_profile(data)

    def list_recent_posts(self, ref: ProfileRef, limit: int) -> list[PostStats | PostRef]:
        """The account's newest `limit` media (likes and comments; no views)."""
        return list(self._media(ref.username, limit, ref.token))

    def fetch_posts(self, refs: list[PostRef]) -> list[PostResult]:
        """Each author's recent media are read once (up to `INSTAGRAM_GRAPH_MEDIA_SCAN`) and
        the batch's posts picked from them. A post not among them is an error another provider
        may answer; so is a ref without its author's username."""
        results: dict[PostRef, PostResult] = {}
        by_author: dict[str, list[PostRef]] = {}
        tokens: dict[str, AccountToken] = {}
        for ref in refs:
            if ref.username:
                by_author.setdefault(ref.username, []).append(ref)
                if ref.token:
                    tokens[ref.username] = ref.token
            else:
                results[ref] = PostResult(
                    ref=ref, error=ProviderError("Instagram Graph needs the post's username.")
                )
        for username, wanted in by_author.items():
            media = {
                stats.post_id: stats
                for stats in self._media(
                    username, settings.INSTAGRAM_GRAPH_MEDIA_SCAN, tokens.get(username)
                )
            }
            for ref in wanted:
                stats = media.get(ref.post_id)
                results[ref] = (
                    PostResult(ref=ref, stats=stats)
                    if stats
                    else PostResult(
                        ref=ref,
                        error=ProviderError(
                            f"Instagram Graph: {ref.post_id} is not among @{username}'s "
                            f"{settings.INSTAGRAM_GRAPH_MEDIA_SCAN} latest posts."
                        ),
                    )
                )
        return [results[ref] for ref in refs]

    def _media(
        self, username: str, limit: int, token: AccountToken | None = None
    ) -> list[PostStats]:
        posts: list[PostStats] = []
        after = None
        while len(posts) < limit:
            size = min(PAGE_SIZE, limit - len(posts))
            edge = f"media.limit({size})" + (f".after({after})" if after else "")
            data = self._discover(
                username, "{" + f"username,{edge}" + "{" + MEDIA_FIELDS + "}}", token
            )
            items, after = media_page(data)
            posts.extend(map_media(item, username=username) for item in items)
            if not after or len(items) < size:
                break
        return posts[:limit]

    def _discover(
        self, username: str, fields: str, token: AccountToken | None = None
    ) -> dict[str, Any]:
        if token and token.user_id:
            # Our own connected account: its own node with its own token (same fields).
            own = http.request_json(
                NAME,
                "GET",
                f"{(token.api_base or settings.GRAPH_API_BASE_URL).rstrip('/')}/{token.user_id}",
                params={"fields": fields[1:-1]},
                headers={"Authorization": f"Bearer {token.access_token}"},
                error_mapper=lambda response, payload: error_for(response.status_code, payload),
            )
            if not isinstance(own, dict):
                raise ProviderError(f"Instagram Graph: unexpected answer for @{username}.")
            return {"business_discovery": own}
        answer = http.request_json(
            NAME,
            "GET",
            f"{settings.GRAPH_API_BASE_URL.rstrip('/')}/{credential('INSTAGRAM_GRAPH_USER_ID')}",
            params={"fields": f"business_discovery.username({username}){fields}"},
            headers={"Authorization": f"Bearer {credential('INSTAGRAM_GRAPH_TOKEN')}"},
            error_mapper=lambda response, payload: error_for(response.status_code, payload),
        )
        if not isinstance(answer, dict) or "business_discovery" not in answer:
            raise ProviderError(f"Instagram Graph: no business_discovery for @{username}.")
        return answer
