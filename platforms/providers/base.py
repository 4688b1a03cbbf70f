"""The narrow interface every stats provider implements, over plain dataclasses.

A provider fetches post stats, profile stats and recent posts of a profile for the platforms it
supports. It knows nothing of our models: refs in, dataclasses (or typed errors) out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar


# --- Typed errors -----------------------------------------------------------------------------
class ProviderError(Exception):
    """The provider failed in a way retrying will not fix (bad credentials, unexpected answer)."""

    #: True when the answer is about the object itself and no other provider should be asked.
    final: ClassVar[bool] = False
    #: True when trying again later may succeed.
    transient: ClassVar[bool] = False


class NotFound(ProviderError):
    """The post or profile does not exist (deleted, removed, wrong id)."""

    final = True


class Private(ProviderError):
    """The profile (or the post's author) is private."""

    final = True


class LoginRequired(ProviderError):
    """The platform answers only to a logged-in session; another provider may do better."""


class TemporaryError(ProviderError):
    """Network error, timeout or 5xx after retries: try again later."""

    transient = True


class RateLimited(TemporaryError):
    """429: the provider must not be called again before `retry_after` seconds."""

    def __init__(self, message: str = "Rate limited", *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExhausted(TemporaryError):
    """A daily or monthly quota is used up (e.g. YouTube's 10 000 units)."""

    def __init__(self, message: str = "Quota exhausted", *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


# --- Data -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountToken:
    """The account's own authorization (a publishing connection's token): its insights are
    richer than public data. `user_id` is the platform's id of the account (IG user id,
    YouTube channel id); `api_base` the Graph host the token belongs to (graph.instagram.com
    for Instagram Login, graph.facebook.com for Facebook Login; "" for the default)."""

    access_token: str
    user_id: str = ""
    api_base: str = ""


@dataclass(frozen=True)
class PostRef:
    """A post to fetch: what `platforms.urls.parse_url` gave for it."""

    platform: str
    post_id: str
    url: str
    username: str | None = None
    #: A YouTube Short (`ParsedURL.is_short`): the YouTube API has no other way to tell.
    is_short: bool = False
    #: The author's own token when we hold one (not part of the ref's identity).
    token: AccountToken | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ProfileRef:
    platform: str
    username: str
    url: str
    external_id: str | None = None
    #: The account's own token when we hold one (not part of the ref's identity).
    token: AccountToken | None = field(default=None, compare=False, repr=False)


@dataclass
class PostStats:
    """One post as a provider saw it. `None` means the source has no such counter, never 0."""

    platform: str
    post_id: str
    url: str | None = None
    username: str | None = None
    post_date: datetime | None = None
    caption: str | None = None
    thumbnail_url: str | None = None
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    base_format: str | None = None  # posts.choices.BaseFormat values
    content_type: str | None = None  # posts.choices.ContentType values
    followers: int | None = None  # the author's, when the answer carries it
    #: The author's platform id (YouTube channel id…) when the answer carries it: the YouTube
    #: API names a video's channel by id only.
    author_id: str | None = None
    source: str = ""


@dataclass
class ProfileStats:
    platform: str
    username: str
    external_id: str | None = None
    full_name: str | None = None
    biography: str | None = None
    profile_pic_url: str | None = None
    is_verified: bool | None = None
    is_private: bool | None = None
    followers: int | None = None
    following: int | None = None
    media_count: int | None = None
    source: str = ""


@dataclass
class PostResult:
    """The answer for one ref of a batch: stats, or the error for that post alone."""

    ref: PostRef
    stats: PostStats | None = None
    error: ProviderError | None = None


# --- Provider ---------------------------------------------------------------------------------
@dataclass
class Capabilities:
    """What a provider can do, per platform."""

    posts: frozenset[str] = field(default_factory=frozenset)
    profiles: frozenset[str] = field(default_factory=frozenset)
    recent_posts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def everything_on(cls, *platforms: str) -> Capabilities:
        """Posts, profiles and recent posts, on each of `platforms`."""
        on = frozenset(platforms)
        return cls(posts=on, profiles=on, recent_posts=on)


class Provider:
    """Base class: subclasses set `name`, `capabilities`, `batch_size` and implement the calls."""

    name: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: How many refs one `fetch_posts` call should get (e.g. 50 ids per YouTube videos.list).
    batch_size: ClassVar[int] = 1

    def is_configured(self) -> bool:
        """False when credentials are missing: the chain skips the provider."""
        return True

    def answers_with(self, token: AccountToken | None) -> bool:
        """True when the provider can answer for an account with the account's own `token`
        even without credentials of its own (e.g. the Graph API for a connected account)."""
        return False

    def call_cost(self, operation: str, *, count: int = 1) -> int:
        """Rate-limit units one call of `operation` (`OPERATIONS`) spends; `count` is the number
        of refs (posts) or the listing limit (recent posts)."""
        return 1

    def fetch_posts(self, refs: list[PostRef]) -> list[PostResult]:
        raise NotImplementedError

    def fetch_profile(self, ref: ProfileRef) -> ProfileStats:
        raise NotImplementedError

    def list_recent_posts(self, ref: ProfileRef, limit: int) -> list[PostStats | PostRef]:
        raise NotImplementedError
