"""Classify one post in the foreground and show what it took: for tuning the prompt."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ai.config import config_from_settings
from ai.errors import AIError
from ai.prompts import build_messages
from core.errors import DomainError
from posts.models import Post
from posts.services.adding import parse_post_url
from posts.services.classification import post_classify_now
from posts.services.classifier import ai_taxonomy, post_ai_input


class Command(BaseCommand):
    help = (
        "Classify one post (by id or URL) now, whatever its status, and print the prompt "
        "size, the answer, the token usage and its cost; the result is stored unless "
        "--dry-run. Trial reels are refused (they are classified once approved)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("post", help="A post id or a tracked post's URL (any accepted form).")
        parser.add_argument("--dry-run", action="store_true", help="Store nothing.")
        parser.add_argument(
            "--show-prompt", action="store_true", help="Print the messages sent to the model."
        )

    def handle(self, *args, **options) -> None:
        post = self._find(options["post"])
        config = config_from_settings()
        if not config.configured:
            raise CommandError(config.not_configured_reason)
        if options["show_prompt"]:
            messages = build_messages(
                post_ai_input(post),
                ai_taxonomy().taxonomy,
                budget=config.text_budget_chars,
                image=config.use_images,
            )
            for message in messages:
                self.stdout.write(f"--- {message['role']} ---")
                content = message["content"]
                self.stdout.write(content if isinstance(content, str) else json.dumps(content))
        try:
            result = post_classify_now(post=post, config=config, store=not options["dry_run"])
        except (AIError, DomainError) as exc:
            raise CommandError(str(exc)) from exc

        cost = config.cost_usd(
            prompt_tokens=result.prompt_tokens, completion_tokens=result.completion_tokens
        )
        answer = {
            "idea_concept": result.idea_concept,
            "category": result.category,
            "subcategories": list(result.subcategories),
            "reel_style": result.reel_style,
        }
        lines = [
            f"Post:            {post.pk} {post.url}",
            f"Model:           {result.model} (prompt {result.prompt_version})",
            f"Prompt:          {result.prompt_chars:,} characters, "
            f"{result.prompt_tokens:,} tokens (server's count)",
            f"Answer:          {result.completion_tokens:,} tokens, {result.calls} call(s)",
        ]
        if result.retried_because:
            lines.append(f"First answer rejected: {result.retried_because}")
        lines += [
            f"Cost:            ${cost:.6f} at ${config.price_input_per_1m:g} / "
            f"${config.price_output_per_1m:g} per 1M input / output tokens",
            "Result:",
            json.dumps(answer, indent=2, ensure_ascii=False),
            "Not stored (--dry-run)." if options["dry_run"] else "Stored.",
        ]
        self.stdout.write("\n".join(lines))

    def _find(self, ref: str) -> Post:
        queryset = Post.objects.select_related("account")
        if ref.isdigit():
            post = queryset.filter(pk=int(ref)).first()
        else:
            try:
                parsed = parse_post_url(ref)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            post = queryset.filter(platform=parsed.platform, post_id=parsed.post_id).first()
        if post is None:
            raise CommandError(f"No tracked post {ref}: add it first (admin or API).")
        return post
