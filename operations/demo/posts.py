"""The demo posts: skeletons spread over the accounts, trial reels, AI fields, stored in bulk."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from django.conf import settings

from ai.config import config_from_settings
from ai.validation import InvalidAnswer, validate_answer
from creators.models import Account, AccountSnapshot
from posts.choices import (
    BaseFormat,
    ContentType,
    Platform,
    ProcessingStatus,
    ReelStyle,
    TrialStatus,
)
from posts.models import Post, PostSnapshot
from posts.services.classifier import ai_taxonomy
from settings_app.models import Board, Category

from .accounts import AccountPlan, account_snapshots, followers_at
from .data import (
    APPROVED_TRIAL_SHARE,
    BATCH_SIZE,
    CAPTIONS,
    HASHTAGS,
    ID_CHARS,
    NEVER,
    PENDING_TRIAL_SHARE,
    REEL_STYLE_WEIGHTS,
    REJECTED_TRIAL_SHARE,
    TRIAL_NOTES,
    DemoSummary,
)
from .history import PostPlan, post_history


def posts_create(
    plans: list[AccountPlan],
    total: int,
    seed: int,
    now: datetime,
    days: int,
    categories: list[Category],
    boards: dict[str, Board],
    summary: DemoSummary,
) -> None:
    """`total` posts over the accounts of `plans`, their snapshots, and the accounts' history."""
    post_plans = _post_plans(plans, total, seed, now, days)
    _choose_trials(post_plans, random.Random(f"{seed}:trials"), now)
    category_by_name = {c.name: c for c in categories}
    account_plans = {p.account.pk: p for p in plans}
    errors = ai_errors()
    for post_plan in post_plans:
        account_plan = account_plans[post_plan.post.account_id]
        post_plan.followers_at_post = followers_at(account_plan, post_plan.post.post_date)
        _classify(post_plan, categories, category_by_name, errors, now)
    _account_histories(plans, post_plans, summary)

    existing = _existing_post_keys([p.post for p in post_plans])
    new = [p for p in post_plans if (p.post.platform, p.post.post_id) not in existing]
    new.sort(key=lambda p: p.post.added_date)  # ids grow with the time posts were added
    snapshots_by_key = {}
    for post_plan in new:
        history = post_history(post_plan, now, days)
        snapshots_by_key[(post_plan.post.platform, post_plan.post.post_id)] = history
    Post.objects.bulk_create([p.post for p in new], batch_size=BATCH_SIZE)
    summary.add("posts", len(new))
    summary.add("pending trials", sum(p.post.trial_status == TrialStatus.PENDING for p in new))
    summary.add("rejected trials", sum(p.post.trial_status == TrialStatus.REJECTED for p in new))
    summary.add("approved trials", sum(p.post.trial_status == TrialStatus.APPROVED for p in new))
    if new:
        _post_relations_store(new, snapshots_by_key, plans, boards, summary)


def _post_plans(
    plans: list[AccountPlan], total: int, seed: int, now: datetime, days: int
) -> list[PostPlan]:
    span_hours = (days + 30) * 24
    post_plans: list[PostPlan] = []
    weights = [
        random.Random(f"{seed}:weight:{p.account.username}").uniform(0.4, 1.6) for p in plans
    ]
    for plan, count in zip(plans, _allocate(total, weights), strict=True):
        seen: set[str] = set()
        for number in range(count):
            rng = random.Random(f"{seed}:post:{plan.account.username}:{number}")
            post, idea = _post_skeleton(plan, rng, now, span_hours, seen)
            post_plans.append(PostPlan(post=post, niche=plan.niche, idea=idea, rng=rng))
            seen.add(post.post_id)
    return post_plans


def _account_histories(
    plans: list[AccountPlan], post_plans: list[PostPlan], summary: DemoSummary
) -> None:
    """Account history, for accounts created now (media counts follow their posts)."""
    dates_by_account: dict[int, list[datetime]] = {}
    for post_plan in post_plans:
        dates_by_account.setdefault(post_plan.post.account_id, []).append(post_plan.post.post_date)
    snapshots = []
    for plan in plans:
        if plan.is_new:
            history = account_snapshots(plan, sorted(dates_by_account.get(plan.account.pk, [])))
            snapshots.extend(history)
            latest = history[-1]
            plan.account.followers = latest.followers
            plan.account.following = latest.following
            plan.account.total_media_count = latest.media_count
            plan.account.last_stats_update = latest.captured_at
            plan.account.last_tracked_at = latest.captured_at
    AccountSnapshot.objects.bulk_create(snapshots, batch_size=BATCH_SIZE)
    summary.add("account snapshots", len(snapshots))
    Account.objects.bulk_update(
        [p.account for p in plans if p.is_new],
        ["followers", "following", "total_media_count", "last_stats_update", "last_tracked_at"],
        batch_size=BATCH_SIZE,
    )


def _post_relations_store(
    new: list[PostPlan],
    snapshots_by_key: dict[tuple[str, str], list[PostSnapshot]],
    plans: list[AccountPlan],
    boards: dict[str, Board],
    summary: DemoSummary,
) -> None:
    """The new posts' boards, sub-categories and snapshots, in bulk."""
    ids = _post_ids(set(snapshots_by_key))
    account_boards = {p.account.pk: [boards[slug].pk for slug in p.board_slugs] for p in plans}
    board_through = Post.boards.through
    subcategory_through = Post.subcategories.through
    board_rows, subcategory_rows, snapshot_rows = [], [], []
    for post_plan in new:
        post = post_plan.post
        post_pk = ids[(post.platform, post.post_id)]
        board_rows.extend(
            board_through(post_id=post_pk, board_id=board_pk)
            for board_pk in account_boards[post.account_id]
        )
        subcategory_rows.extend(
            subcategory_through(post_id=post_pk, subcategory_id=sub.pk)
            for sub in post_plan.subcategories
        )
        for snapshot in snapshots_by_key[(post.platform, post.post_id)]:
            snapshot.post_id = post_pk
            snapshot_rows.append(snapshot)
    board_through.objects.bulk_create(board_rows, batch_size=BATCH_SIZE)
    subcategory_through.objects.bulk_create(subcategory_rows, batch_size=BATCH_SIZE)
    PostSnapshot.objects.bulk_create(snapshot_rows, batch_size=BATCH_SIZE)
    summary.add("post snapshots", len(snapshot_rows))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), deterministically."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _post_skeleton(
    plan: AccountPlan, rng: random.Random, now: datetime, span_hours: int, seen: set[str]
) -> tuple[Post, str]:
    account = plan.account
    platform = account.platform
    roll = rng.random()
    if platform == Platform.INSTAGRAM:
        kind = "reel" if roll < 0.65 else "carousel" if roll < 0.85 else "photo"
    elif platform == Platform.TIKTOK:
        kind = "reel" if roll < 0.92 else "carousel"
    else:
        kind = "reel" if roll < 0.7 else "long"

    post_id = _post_id(platform, rng)
    while post_id in seen:
        post_id = _post_id(platform, rng)
    if platform == Platform.INSTAGRAM:
        url = f"https://www.instagram.com/p/{post_id}/"
    elif platform == Platform.TIKTOK:
        path = "photo" if kind == "carousel" else "video"
        url = f"https://www.tiktok.com/@{account.username}/{path}/{post_id}"
    else:
        url = f"https://www.youtube.com/watch?v={post_id}"

    base_format, content_type, width, height, duration = {
        "reel": (BaseFormat.VIDEO, ContentType.VIDEO_SHORT, 1080, 1920, rng.uniform(6, 90)),
        "long": (BaseFormat.VIDEO, ContentType.VIDEO_LONG, 1920, 1080, rng.uniform(240, 1500)),
        "carousel": (BaseFormat.CAROUSEL, ContentType.CAROUSEL, 1080, 1350, None),
        "photo": (BaseFormat.SINGLE_PHOTO, ContentType.PHOTO_SINGLE, 1080, 1350, None),
    }[kind]
    caption, idea = rng.choice(CAPTIONS[plan.niche])
    tags = " ".join(rng.sample(HASHTAGS[plan.niche], k=rng.randint(2, 4)))
    post_date = now - timedelta(hours=rng.uniform(1, span_hours))
    added_date = min(now, post_date + timedelta(hours=rng.uniform(0.1, 12)))
    post = Post(
        url=url,
        platform=platform,
        post_id=post_id,
        account_id=account.pk,
        username=account.username,
        post_date=post_date,
        caption=f"{caption}\n\n{tags}",
        thumbnail_url="",
        duration_s=round(duration, 1) if duration else None,
        width=width,
        height=height,
        base_format=base_format,
        content_type=content_type,
        processing_status=ProcessingStatus.PENDING,
        # Never due: neither the stats refresh nor the AI queue (pending or not) takes demo posts.
        next_refresh_at=NEVER,
        ai_next_attempt_at=NEVER,
        client_id=account.client_id,
        editor_id=account.editor_id,
        type=account.type,
        finance_item_id=account.finance_item_id,
        added_date=added_date,
        extra={"demo": True},
    )
    return post, idea


def _post_id(platform: str, rng: random.Random) -> str:
    if platform == Platform.INSTAGRAM:
        return rng.choice("CD") + "".join(rng.choices(ID_CHARS, k=10))
    if platform == Platform.TIKTOK:
        return str(rng.randint(7_300_000_000_000_000_000, 7_499_999_999_999_999_999))
    return "".join(rng.choices(ID_CHARS, k=11))


def _choose_trials(post_plans: list[PostPlan], rng: random.Random, now: datetime) -> None:
    total = len(post_plans)
    wanted = {
        TrialStatus.PENDING: round(total * PENDING_TRIAL_SHARE),
        TrialStatus.REJECTED: round(total * REJECTED_TRIAL_SHARE),
        TrialStatus.APPROVED: round(total * APPROVED_TRIAL_SHARE),
    }
    videos = [p for p in post_plans if p.post.content_type == ContentType.VIDEO_SHORT]
    videos.sort(key=lambda p: (p.post.post_date, p.post.post_id), reverse=True)
    # Pending trials are the recent ones; decided trials are a few days old.
    recent = [p for p in videos if now - p.post.post_date <= timedelta(days=10)]
    rng.shuffle(recent)
    chosen: set[int] = set()

    def take(candidates: list[PostPlan], count: int) -> list[PostPlan]:
        picked = []
        for candidate in candidates:
            if len(picked) == count:
                break
            if id(candidate) not in chosen:
                chosen.add(id(candidate))
                picked.append(candidate)
        return picked

    pending = take(recent + videos, wanted[TrialStatus.PENDING])
    decided_pool = [p for p in videos if now - p.post.post_date >= timedelta(days=2)]
    rng.shuffle(decided_pool)
    rejected = take(decided_pool + videos, wanted[TrialStatus.REJECTED])
    approved = take(decided_pool + videos, wanted[TrialStatus.APPROVED])
    for group, status in (
        (pending, TrialStatus.PENDING),
        (rejected, TrialStatus.REJECTED),
        (approved, TrialStatus.APPROVED),
    ):
        for plan in group:
            post = plan.post
            post.is_trial = status != TrialStatus.APPROVED
            post.trial_status = status
            if status != TrialStatus.PENDING:
                post.trial_decided_at = min(
                    now, post.post_date + timedelta(hours=plan.rng.uniform(24, 72))
                )
                post.trial_note = plan.rng.choice(TRIAL_NOTES[status])


# Categories an agency's model might invent; the demo's "outside the taxonomy" failure names
# the first one the taxonomy really lacks.
INVENTED_CATEGORIES = ("Crypto", "Astrology", "Pets & Animals", "Real Estate")


def ai_errors() -> list[str]:
    """The AI failures the demo shows, in the words the classification job writes: an answer
    outside the taxonomy (checked against the taxonomy in the database, so the error never
    names a category that exists), a timeout and a rate limit at the last attempt."""
    taxonomy = ai_taxonomy().taxonomy
    last = f"(attempt {settings.AI_MAX_ATTEMPTS} of {settings.AI_MAX_ATTEMPTS})"
    errors = [
        f"The model did not answer within {config_from_settings().timeout_s:g} s. {last}",
        f"AI server error 429: Rate limit reached for requests. {last}",
    ]
    for name in INVENTED_CATEGORIES:
        answer = {"idea_concept": "-", "category": name, "subcategories": [], "reel_style": ""}
        try:
            validate_answer(json.dumps(answer), taxonomy, is_video=True)
        except InvalidAnswer as error:
            errors.append(f"Invalid answer (after one retry): {error}"[:2000])
            break
    return errors


def _classify(
    plan: PostPlan,
    categories: list[Category],
    category_by_name: dict[str, Category],
    errors: list[str],
    now: datetime,
) -> None:
    """Fill the AI fields as the classifier would have: most done, some pending, a few failed."""
    post, rng = plan.post, plan.rng
    if post.is_trial or not categories:
        return  # trial reels are classified once approved
    age = now - post.post_date
    roll = rng.random()
    if age < timedelta(days=1):
        status = ProcessingStatus.COMPLETED if roll < 0.3 else ProcessingStatus.PENDING
    else:
        status = (
            ProcessingStatus.COMPLETED
            if roll < 0.82
            else ProcessingStatus.FAILED
            if roll < 0.88
            else ProcessingStatus.PENDING
        )
    post.processing_status = status
    processed_at = min(now, post.added_date + timedelta(minutes=rng.uniform(2, 90)))
    if status == ProcessingStatus.FAILED:
        post.ai_attempts = 3
        post.ai_error = rng.choice(errors)
        post.ai_processed_at = processed_at
    elif status == ProcessingStatus.COMPLETED:
        category = category_by_name.get(plan.niche)
        if category is None or rng.random() < 0.1:
            category = rng.choice(categories)
        subcategories = list(category.subcategories.all())
        post.category = category
        plan.subcategories = rng.sample(subcategories, k=min(len(subcategories), rng.randint(1, 3)))
        if post.base_format == BaseFormat.VIDEO:
            post.reel_style = rng.choices(ReelStyle.values, REEL_STYLE_WEIGHTS[plan.niche])[0]
        post.idea_concept = plan.idea
        post.ai_attempts = 1
        post.ai_model = "demo"
        post.ai_prompt_version = "demo"
        post.ai_prompt_tokens = rng.randint(550, 1300)
        post.ai_completion_tokens = rng.randint(60, 140)
        post.ai_processed_at = processed_at


def _existing_post_keys(posts: list[Post]) -> set[tuple[str, str]]:
    return set(_post_ids({(p.platform, p.post_id) for p in posts}))


def _post_ids(keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_platform: dict[str, list[str]] = {}
    for platform, post_id in keys:
        by_platform.setdefault(platform, []).append(post_id)
    found = {}
    for platform, post_ids in by_platform.items():
        post_ids.sort()
        for start in range(0, len(post_ids), 500):
            rows = Post.objects.filter(
                platform=platform, post_id__in=post_ids[start : start + 500]
            ).values_list("post_id", "id")
            for post_id, pk in rows:
                found[(platform, post_id)] = pk
    return found
