"""What each AI assistance feature sends to the model, measured on a realistic task.

    .venv/bin/python bench/ai_assist_prompts.py [--comments 30] [--variants 3]

Builds the real prompts of the `ai/` library (captions, repurpose, quality check, thread
summary, brief to tasks) for a realistic content task and campaign, sends each through the
production code path to the fake OpenAI-compatible server of the tests (127.0.0.1), and prints
per feature: the characters of the system prompt, of the facts (user message) and of the JSON
schema, the fake's token counts (about 4 characters per token, OpenAI's rule of thumb; the fake
does not count the schema), an estimate with the schema added, and the cost per call at
gpt-4o-mini's list price ($0.15 / $0.60 per million tokens). No tokenizer is installed (and
tiktoken would need to download its tables): these are estimates, like the classification
figures of the README.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ai.assist import PlatformLimits  # noqa: E402
from ai.briefs import BriefInput, brief_to_tasks  # noqa: E402
from ai.captions import CaptionInput, caption_repurpose, caption_suggest  # noqa: E402
from ai.config import AIConfig  # noqa: E402
from ai.quality import QualityInput, caption_quality_check  # noqa: E402
from ai.threads import ThreadComment, thread_summarize  # noqa: E402
from tests.ai.fake_openai import FakeOpenAI  # noqa: E402

IG = PlatformLimits("instagram", "Instagram", caption_max=2200, hashtags_max=30)
TT = PlatformLimits("tiktok", "TikTok", caption_max=2200)
BRIEF = (
    "Aurora unboxing reel (30-45 s, vertical). Show the box, the first try-on and a short run "
    "in the park. Key messages: the lightest shoe of the range (210 g), upper made from "
    "recycled bottles, on sale from 1 March at aurora-run.com and in partner stores. Mention "
    "the launch code AURORA15 for 15% off during launch week. Film in daylight; no music with "
    "lyrics. The creator speaks to the camera at the start and the end."
)
GUIDELINES = (
    "Always write AURORA in capitals",
    "Never name a competitor brand",
    "No medical or injury-prevention claims",
    "Use #AuroraRun and #RunLighter, and at most 8 hashtags in total",
    "Say 'recycled bottles', never 'plastic waste'",
    "End with a call to action naming the launch code",
)
TERMS = ("AURORA", "AURORA15", "RunLighter")
CAPTION = (
    "Unboxing the new AURORA 👟 210 g and made from recycled bottles. First run in the park and "
    "honestly… I forgot I was wearing them. On sale 1 March, code AURORA15 for 15% off launch "
    "week. Link in bio!"
)
TAGS = ("AuroraRun", "RunLighter", "running", "unboxing", "newshoes", "fitness")
PHRASES = [
    "Love the first cut, but the intro is too long, can we get to the box faster?",
    "Agreed, cut the first 4 seconds.",
    "Client asked for the launch code on screen, not only in the caption.",
    "Can we use the second hook? It tested better with the client.",
    "Music: the track with lyrics has to go, use the library one.",
    "Re-uploaded v3 with the shorter intro and the code on screen.",
    "Looks good to me, waiting for the client's OK.",
    "The shoe colour looks off in the park shots, can you warm it up a bit?",
]


def measure(fake: FakeOpenAI, run) -> dict:
    before = len(fake.requests)
    answer = run()
    request = fake.requests[before]
    system = request.messages[0]["content"]
    user = request.messages[1]["content"]
    schema = json.dumps(request.body["response_format"]["json_schema"])
    with_schema = answer.prompt_tokens + math.ceil(len(schema) / 4) * answer.calls
    return {
        "system": len(system),
        "facts": len(user),
        "schema": len(schema),
        "prompt": answer.prompt_tokens,
        "prompt_with_schema": with_schema,
        "completion": answer.completion_tokens,
        "calls": answer.calls,
        "cost": (with_schema * 0.15 + answer.completion_tokens * 0.60) / 1_000_000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=30)
    parser.add_argument("--variants", type=int, default=3)
    args = parser.parse_args()
    fake = FakeOpenAI().start()
    config = AIConfig(api_key="bench", base_url=fake.url + "/v1", timeout_s=10)
    data = CaptionInput(
        brief="Aurora unboxing reel\n\n" + BRIEF,
        limits=IG,
        tone="brand",
        brand_voice="Upbeat, expert, never pushy; short sentences; one emoji at most.",
        guidelines=GUIDELINES,
        brand_terms=TERMS,
        media_facts={"format": "video", "duration": "38 s", "orientation": "vertical"},
    )
    start = datetime(2026, 2, 20, 9, tzinfo=UTC)
    comments = [
        ThreadComment(
            id=1000 + n,
            author=("Ana (manager)", "Mia (creator)", "Client")[n % 3],
            body=PHRASES[n % len(PHRASES)],
            created_at=start + timedelta(hours=n),
            internal=n % 4 == 0,
        )
        for n in range(args.comments)
    ]
    creators = {11: "Mia Runs", 12: "Leo Trails", 13: "Sam Fit", 14: "Ivy Moves", 15: "Jo Pace"}
    brief = BriefInput(
        "AURORA launch",
        BRIEF * 2,
        "Reach 2M views in launch week; 3% engagement.",
        creators,
        ("instagram", "tiktok", "youtube"),
        ("reel", "photo", "carousel", "short", "video"),
    )
    rows = {
        f"caption ({args.variants} variants)": measure(
            fake, lambda: caption_suggest(config, data, variants=args.variants)
        ),
        "caption (1 variant)": measure(fake, lambda: caption_suggest(config, data)),
        "repurpose (IG → TikTok)": measure(
            fake,
            lambda: caption_repurpose(
                config,
                caption=CAPTION,
                hashtags=TAGS,
                source_platform="Instagram",
                data=CaptionInput(**{**data.__dict__, "limits": TT}),
            ),
        ),
        "quality_check": measure(
            fake,
            lambda: caption_quality_check(
                config, QualityInput(CAPTION, TAGS, IG, GUIDELINES, TERMS)
            ),
        ),
        f"thread_summary ({args.comments} comments)": measure(
            fake, lambda: thread_summarize(config, title="Aurora unboxing reel", comments=comments)
        ),
        "brief_to_tasks (5 creators)": measure(fake, lambda: brief_to_tasks(config, brief)),
    }
    fake.stop()
    head = ("feature", "system", "facts", "schema", "prompt tok", "+schema", "answer tok", "USD")
    print("{:<28} {:>7} {:>7} {:>7} {:>10} {:>8} {:>10} {:>9}".format(*head))
    for name, r in rows.items():
        print(
            f"{name:<28} {r['system']:>7} {r['facts']:>7} {r['schema']:>7} {r['prompt']:>10} "
            f"{r['prompt_with_schema']:>8} {r['completion']:>10} {r['cost']:>9.6f}"
        )


if __name__ == "__main__":
    main()
