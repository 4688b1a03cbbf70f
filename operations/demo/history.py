"""The demo posts' daily snapshots, every counter growing toward its final value."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from posts.choices import BaseFormat, ContentType, Platform, TrialStatus
from posts.models import Post, PostSnapshot
from settings_app.models import Subcategory

from .data import SOURCE


@dataclass
class PostPlan:
    post: Post
    niche: str
    idea: str
    rng: random.Random
    followers_at_post: int | None = None
    subcategories: list[Subcategory] = field(default_factory=list)


def post_history(plan: PostPlan, now: datetime, days: int) -> list[PostSnapshot]:
    """Daily snapshots from the post date (or `days` ago) to now, every counter growing.

    Each counter approaches its final value as 1 - exp(-age / tau); the post's current stats
    are its latest snapshot's.
    """
    post, rng = plan.post, plan.rng
    views, likes, comments, shares = _final_counters(post, rng, plan.followers_at_post or 1000)
    tau_hours = rng.uniform(18, 72)

    anchor = now - timedelta(minutes=rng.uniform(0, 50))
    first_day = min(days, int((anchor - post.post_date) / timedelta(days=1)))
    snapshots = []
    for d in range(first_day, -1, -1):
        captured_at = anchor - timedelta(days=d)
        age_hours = (captured_at - post.post_date) / timedelta(hours=1)
        grown = 1 - math.exp(-age_hours / tau_hours)
        snapshots.append(
            PostSnapshot(
                captured_at=captured_at,
                views=int(views * grown) if views is not None else None,
                likes=int(likes * grown),
                comments=int(comments * grown),
                shares=int(shares * grown) if shares is not None else None,
                source=SOURCE,
            )
        )
    latest = snapshots[-1]
    post.views, post.likes, post.comments, post.shares = (
        latest.views,
        latest.likes,
        latest.comments,
        latest.shares,
    )
    post.last_updated = latest.captured_at
    return snapshots


def _final_counters(post, rng, followers: int) -> tuple[float | None, float, float, float | None]:
    """Where the post's views, likes, comments and shares end up."""
    platform = post.platform
    is_video = post.base_format == BaseFormat.VIDEO

    # Counters the platform does not show are NULL (specs/platforms.md): no views on Instagram
    # photos and carousels, share counts only on TikTok.
    reach = {
        Platform.INSTAGRAM: 0.35,
        Platform.TIKTOK: 0.6,
        Platform.YOUTUBE: 0.4 if post.content_type == ContentType.VIDEO_SHORT else 0.08,
    }[platform]
    has_views = not (platform == Platform.INSTAGRAM and not is_video)
    views = likes = None
    if has_views:
        views = followers * reach * rng.lognormvariate(0, 0.9)
        if rng.random() < 0.03:
            views *= rng.uniform(5, 15)  # went viral
        if post.trial_status == TrialStatus.REJECTED:
            views *= 0.3
        elif post.trial_status == TrialStatus.APPROVED:
            views *= 1.8
        views = max(50.0, views)
        likes = views * rng.uniform(0.02, 0.05 if platform == Platform.YOUTUBE else 0.1)
    else:
        likes = followers * rng.uniform(0.01, 0.06) * rng.lognormvariate(0, 0.4)
    comments = likes * rng.uniform(0.01, 0.05)
    shares = likes * rng.uniform(0.05, 0.3) if platform == Platform.TIKTOK else None
    return views, likes, comments, shares
