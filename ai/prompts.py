"""The versioned prompt: system instructions with the taxonomy, and the post as a user message.

Change PROMPT_VERSION with any change of wording: every result stores the version it used."""

import re
from typing import Any

from .types import PostInput, Taxonomy

PROMPT_VERSION = "classify-v1"

REEL_STYLE_HINTS = {
    "Talking Head": "a person speaking to the camera carries the video",
    "Lifestyle/B-roll": "footage of scenes, activities or places, with text or a voice-over; "
    "nobody talks to the camera",
    "Hybrid": "both: talking to the camera and B-roll, each a real part of the video",
    "Other": "anything else: animation, screen recording, slideshow, gameplay, skit, music",
}

SYSTEM_TEMPLATE = """\
You classify short-form social media posts for a social-media agency.
Answer with JSON only, following the schema:
- idea_concept: one or two plain sentences saying what the post is about: its idea or hook, \
e.g. "Reacting to a viral clip about rent prices in NYC". No hashtags, no emojis.
- category: exactly one category of the taxonomy below.
- subcategories: one to three sub-categories of THAT category, most relevant first.
- reel_style: how a video is made; null for photos and carousels.
{reel_styles}
Use only names listed here, spelled exactly. When unsure, choose the closest one.

Taxonomy (category: its sub-categories):
{taxonomy}"""

RETRY_TEMPLATE = (
    "Your answer was rejected: {error} Answer again with the same JSON format, using only "
    "names from the lists given."
)

HASHTAG = re.compile(r"#[^\s#]+")
MAX_HASHTAGS = 30
BIO_SHARE = 0.2  # of the text budget, at most
TITLE_SHARE = 0.2


def trim(text: str, limit: int) -> str:
    """`text` cut to `limit` characters (an ellipsis marks the cut)."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def system_prompt(taxonomy: Taxonomy) -> str:
    styles = "\n".join(
        f"  {name}: {REEL_STYLE_HINTS[name]}" if name in REEL_STYLE_HINTS else f"  {name}"
        for name in taxonomy.reel_styles
    )
    lines = []
    for category, subcategories in taxonomy.categories.items():
        if not subcategories:
            continue
        description = taxonomy.descriptions.get(category)
        about = f" ({description})" if description else ""
        lines.append(f"- {category}{about}: {', '.join(subcategories)}")
    return SYSTEM_TEMPLATE.format(reel_styles=styles, taxonomy="\n".join(lines))


def user_text(post: PostInput, *, budget: int) -> str:
    """The post as text, the caption, title and bio trimmed to `budget` characters together."""
    bio = trim(post.account_bio, int(budget * BIO_SHARE))
    title = trim(post.title, int(budget * TITLE_SHARE))
    caption = trim(post.caption, max(budget - len(bio) - len(title), 0))
    hashtags = list(dict.fromkeys(HASHTAG.findall(post.caption or "")))[:MAX_HASHTAGS]

    fmt = post.base_format or ("Video" if post.is_video else "unknown")
    if post.content_type:
        fmt += f" ({post.content_type})"
    if post.duration_s:
        fmt += f", {post.duration_s:.0f} s"
    lines = [f"Platform: {post.platform}", f"Format: {fmt}"]
    if post.username:
        lines.append(f"Account: @{post.username}")
    if bio:
        lines.append(f"Account bio: {bio}")
    if title:
        lines.append(f"Title: {title}")
    lines.append(f"Caption: {caption}" if caption else "Caption: (none)")
    if hashtags:
        lines.append(f"Hashtags: {' '.join(hashtags)}")
    if not post.is_video:
        lines.append("Not a video: reel_style must be null.")
    return "\n".join(lines)


def build_messages(
    post: PostInput, taxonomy: Taxonomy, *, budget: int, image: bool = False
) -> list[dict[str, Any]]:
    """The chat messages for one post; with `image`, its thumbnail is attached (low detail)."""
    text = user_text(post, budget=budget)
    content: Any = text
    if image and post.thumbnail_url:
        content = [
            {"type": "text", "text": text},
            {"type": "image_url", "image_url": {"url": post.thumbnail_url, "detail": "low"}},
        ]
    return [
        {"role": "system", "content": system_prompt(taxonomy)},
        {"role": "user", "content": content},
    ]


def retry_messages(messages: list[dict], answer: str, error: str) -> list[dict[str, Any]]:
    """`messages` followed by the rejected answer and why it was rejected."""
    return [
        *messages,
        {"role": "assistant", "content": answer},
        {"role": "user", "content": RETRY_TEMPLATE.format(error=error)},
    ]


def prompt_chars(messages: list[dict]) -> int:
    """Characters of text sent (images not counted)."""
    total = 0
    for message in messages:
        content = message["content"]
        if isinstance(content, str):
            total += len(content)
        else:
            total += sum(len(part.get("text", "")) for part in content)
    return total
