"""Our own check of an answer: the schema may not be enforced (local servers), and it cannot
say which sub-categories belong to which category."""

import json
from typing import Any

from .schema import MAX_SUBCATEGORIES
from .types import Answer, Taxonomy

MAX_IDEA_CHARS = 600
FIELDS = ("idea_concept", "category", "subcategories", "reel_style")


class InvalidAnswer(ValueError):
    """An answer that breaks the schema or the taxonomy; the message is sent back to the
    model for its one retry, and stored on the post if the retry fails too."""


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _lookup(name: Any, names: tuple[str, ...] | list[str]) -> str | None:
    # Exact names, forgiving case and spacing only (local models); never a guess.
    if not isinstance(name, str):
        return None
    by_key = {_key(n): n for n in names}
    return by_key.get(_key(name))


def _listing(names) -> str:
    return ", ".join(f"'{n}'" for n in names)


def validate_answer(content: str | None, taxonomy: Taxonomy, *, is_video: bool) -> Answer:
    """Parse and check the model's answer; raise InvalidAnswer saying what is wrong."""
    data = _fields(content)
    category = _lookup(data["category"], list(taxonomy.categories))
    if category is None or not taxonomy.categories[category]:
        raise InvalidAnswer(
            f"category {data['category']!r} is not in the taxonomy; choose one of "
            f"{_listing(n for n, subs in taxonomy.categories.items() if subs)}."
        )
    return Answer(
        idea_concept=_idea(data["idea_concept"]),
        category=category,
        subcategories=_subcategories(data["subcategories"], category, taxonomy),
        reel_style=_reel_style(data["reel_style"], taxonomy, is_video=is_video),
    )


def _fields(content: str | None) -> dict:
    """The answer as a JSON object with exactly FIELDS."""
    if not content or not content.strip():
        raise InvalidAnswer("The answer is empty.")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"The answer is not valid JSON ({exc.msg}).") from exc
    if not isinstance(data, dict):
        raise InvalidAnswer("The answer must be a JSON object.")
    missing = [name for name in FIELDS if name not in data]
    if missing:
        raise InvalidAnswer(f"The answer lacks {', '.join(missing)}.")
    extra = sorted(set(data) - set(FIELDS))
    if extra:
        raise InvalidAnswer(f"The answer has unknown fields: {', '.join(extra)}.")
    return data


def _idea(idea: Any) -> str:
    if not isinstance(idea, str) or not idea.strip():
        raise InvalidAnswer("idea_concept must be one or two sentences, not empty.")
    idea = " ".join(idea.split())
    if len(idea) > MAX_IDEA_CHARS:
        raise InvalidAnswer(
            f"idea_concept is {len(idea)} characters long; one or two sentences, please "
            f"(at most {MAX_IDEA_CHARS})."
        )
    return idea


def _subcategories(raw_subs: Any, category: str, taxonomy: Taxonomy) -> tuple[str, ...]:
    if not isinstance(raw_subs, list) or not raw_subs:
        raise InvalidAnswer("subcategories must be a list of one to three names.")
    allowed = taxonomy.categories[category]
    subcategories: list[str] = []
    for raw in raw_subs:
        name = _lookup(raw, allowed)
        if name is None:
            raise InvalidAnswer(
                f"sub-category {raw!r} is not a sub-category of {category!r}; its "
                f"sub-categories are {_listing(allowed)}."
            )
        if name not in subcategories:
            subcategories.append(name)
    if len(subcategories) > MAX_SUBCATEGORIES:
        raise InvalidAnswer(
            f"{len(subcategories)} sub-categories given; at most {MAX_SUBCATEGORIES}."
        )
    return tuple(subcategories)


def _reel_style(raw_style: Any, taxonomy: Taxonomy, *, is_video: bool) -> str | None:
    if is_video:
        reel_style = _lookup(raw_style, taxonomy.reel_styles)
        if reel_style is None:
            raise InvalidAnswer(
                f"reel_style {raw_style!r} is not one of {_listing(taxonomy.reel_styles)}."
            )
        return reel_style
    if raw_style is not None:
        raise InvalidAnswer(
            f"reel_style must be null: this post is not a video (got {raw_style!r})."
        )
    return None
