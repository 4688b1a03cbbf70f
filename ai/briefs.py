"""Brief to tasks: proposed deliverables (creator, platform, kind, quantity) and their task
titles from a campaign brief. A proposal only: the caller shows it and creates nothing until
staff confirm."""

from __future__ import annotations

from dataclasses import dataclass

import openai

from .assist import cut, need_list, need_str, obj, user_message
from .config import AIConfig
from .structured import Structured, structured_answer
from .validation import InvalidAnswer

PROMPT_VERSION = "brief-to-tasks-v1"
SCHEMA_NAME = "brief_to_tasks"
MAX_QUANTITY = 20
MAX_TITLE_CHARS = 200

SYSTEM = """\
You plan a social media campaign for an agency. From the brief, propose deliverables: for \
each, one creator (its id from the list given), one platform and one kind from the lists \
given, and one short task title per unit (quantity = the number of titles, at most \
{max_quantity}). Titles say what to make ("Unboxing reel: first impressions"), at most \
{max_title} characters. Answer with JSON only. Propose only what the brief asks for."""


@dataclass(frozen=True)
class BriefInput:
    campaign: str
    brief: str
    goals: str
    creators: dict[int, str]  # id -> name
    platforms: tuple[str, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class ProposedDeliverable:
    creator_id: int
    platform: str
    kind: str
    task_titles: tuple[str, ...]

    @property
    def quantity(self) -> int:
        return len(self.task_titles)


def schema(data: BriefInput) -> dict:
    item = obj(
        {
            "creator_id": {"type": "integer", "enum": sorted(data.creators)},
            "platform": {"type": "string", "enum": list(data.platforms)},
            "kind": {"type": "string", "enum": list(data.kinds)},
            "task_titles": {"type": "array", "items": {"type": "string"}},
        }
    )
    return obj({"deliverables": {"type": "array", "items": item}})


def _validator(data: BriefInput):
    def validate(answer: dict) -> list[ProposedDeliverable]:
        found = []
        items = need_list(answer, "deliverables")
        if not items:
            raise InvalidAnswer("deliverables is empty; propose at least one.")
        for number, item in enumerate(items, start=1):
            where = f"deliverables[{number}]."
            if not isinstance(item, dict):
                raise InvalidAnswer(f"deliverables[{number}] must be an object.")
            creator = item.get("creator_id")
            if creator not in data.creators or isinstance(creator, bool):
                raise InvalidAnswer(f"{where}creator_id {creator!r} is not one of the creators.")
            platform = need_str(item, "platform", where=where)
            if platform not in data.platforms:
                raise InvalidAnswer(f"{where}platform must be one of {', '.join(data.platforms)}.")
            kind = need_str(item, "kind", where=where)
            if kind not in data.kinds:
                raise InvalidAnswer(f"{where}kind must be one of {', '.join(data.kinds)}.")
            titles = [
                " ".join(str(t).split())[:MAX_TITLE_CHARS]
                for t in need_list(item, "task_titles", where=where)
                if str(t).strip()
            ]
            if not 1 <= len(titles) <= MAX_QUANTITY:
                raise InvalidAnswer(
                    f"{where}task_titles needs between 1 and {MAX_QUANTITY} titles."
                )
            found.append(ProposedDeliverable(creator, platform, kind, tuple(titles)))
        return found

    return validate


def brief_to_tasks(
    config: AIConfig, data: BriefInput, *, client: openai.OpenAI | None = None
) -> Structured[list[ProposedDeliverable]]:
    """The proposal for `data`. ValueError when there is no brief or no creator to plan for."""
    if not (data.brief.strip() or data.goals.strip()):
        raise ValueError("The campaign has no brief or goals to plan from.")
    if not data.creators:
        raise ValueError("Name at least one creator to plan for.")
    if not data.platforms:
        raise ValueError("Name at least one platform.")
    facts = {
        "campaign": cut(data.campaign, 200),
        "brief": cut(data.brief),
        "goals": cut(data.goals, 1500),
        "creators": [{"id": pk, "name": name} for pk, name in sorted(data.creators.items())],
        "platforms": list(data.platforms),
        "kinds": list(data.kinds),
    }
    system = SYSTEM.format(max_quantity=MAX_QUANTITY, max_title=MAX_TITLE_CHARS)
    return structured_answer(
        config,
        messages=[{"role": "system", "content": system}, user_message(facts)],
        schema_name=SCHEMA_NAME,
        schema=schema(data),
        validate=_validator(data),
        prompt_version=PROMPT_VERSION,
        client=client,
    )
