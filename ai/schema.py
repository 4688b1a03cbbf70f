"""The structured-output JSON schema, built from the taxonomy at call time."""

from typing import Any

from .types import Taxonomy

SCHEMA_NAME = "post_classification"
MAX_SUBCATEGORIES = 3


def build_schema(taxonomy: Taxonomy, *, is_video: bool) -> dict[str, Any]:
    """A strict schema: `category` and `subcategories` are enums of the taxonomy's names;
    `reel_style` an enum of the styles for a video, `null` otherwise.

    Sub-categories are one enum for all categories (strict mode has no per-value link);
    `ai.validation` checks that they belong to the chosen category."""
    subcategories = sorted({name for names in taxonomy.categories.values() for name in names})
    reel_style: dict[str, Any] = (
        {"type": "string", "enum": list(taxonomy.reel_styles)} if is_video else {"type": "null"}
    )
    return {
        "type": "object",
        "properties": {
            "idea_concept": {
                "type": "string",
                "description": "One or two plain sentences: the idea of the post.",
            },
            "category": {
                "type": "string",
                "enum": [name for name, subs in taxonomy.categories.items() if subs],
            },
            "subcategories": {
                "type": "array",
                "description": f"1 to {MAX_SUBCATEGORIES} sub-categories of the chosen category.",
                "items": {"type": "string", "enum": subcategories},
            },
            "reel_style": reel_style,
        },
        "required": ["idea_concept", "category", "subcategories", "reel_style"],
        "additionalProperties": False,
    }


def response_format(taxonomy: Taxonomy, *, is_video: bool) -> dict[str, Any]:
    """The `response_format` argument of chat.completions.create."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": SCHEMA_NAME,
            "strict": True,
            "schema": build_schema(taxonomy, is_video=is_video),
        },
    }
