"""The plain data the AI library takes and returns."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Taxonomy:
    """The names the model may answer with: category -> its sub-categories, and the reel
    styles (labels). Optional one-line descriptions help the model tell categories apart."""

    categories: dict[str, tuple[str, ...]]
    reel_styles: tuple[str, ...]
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(self.categories.values())


@dataclass(frozen=True)
class PostInput:
    """What the model is told about a post. Formats are human labels ("Video/Reels")."""

    platform: str
    is_video: bool
    base_format: str = ""
    content_type: str = ""
    caption: str = ""
    title: str = ""
    duration_s: float | None = None
    username: str = ""
    account_bio: str = ""
    thumbnail_url: str = ""


@dataclass(frozen=True)
class Answer:
    """A validated answer: every name is one of the taxonomy's, spelled as there."""

    idea_concept: str
    category: str
    subcategories: tuple[str, ...]
    reel_style: str | None


@dataclass(frozen=True)
class Classification(Answer):
    """A validated answer and what it took: model, prompt version, tokens, calls."""

    model: str = ""
    prompt_version: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_chars: int = 0
    raw_answer: str = ""
    calls: int = 1
    retried_because: str = ""  # the validation error of a first, rejected answer
