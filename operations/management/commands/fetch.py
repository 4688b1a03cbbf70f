"""Ask every provider of a URL's platform what it answers: for checking credentials."""

from dataclasses import asdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from platforms import ratelimit
from platforms.providers.base import PostRef, ProfileRef, ProviderError
from platforms.providers.registry import provider_by_name
from platforms.urls import KIND_POST, UnsupportedURL, parse_url


class Command(BaseCommand):
    help = (
        "Fetch a post or profile URL with each provider of its platform's chain in turn and "
        "print what each answered (its mapped fields, or its error). Writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="A post or profile URL in any accepted form.")
        parser.add_argument(
            "--recent",
            type=int,
            default=0,
            metavar="N",
            help="For a profile, also list its N most recent posts.",
        )

    def handle(self, *args, **options) -> None:
        try:
            parsed = parse_url(options["url"])
            if parsed.needs_redirect:
                from platforms.resolve import ShortLinkError, resolve_short_link

                try:
                    parsed = resolve_short_link(parsed.canonical_url)
                except ShortLinkError as exc:
                    raise CommandError(str(exc)) from exc
        except UnsupportedURL as exc:
            raise CommandError(str(exc)) from exc

        self.stdout.write(f"{parsed.platform} {parsed.kind}: {parsed.canonical_url}")
        if parsed.kind == KIND_POST:
            ref = PostRef(
                platform=parsed.platform,
                post_id=parsed.post_id,
                url=parsed.canonical_url,
                username=parsed.username,
            )
            calls = [("posts", lambda p: _post(p, ref))]
        else:
            ref = ProfileRef(
                platform=parsed.platform, username=parsed.username, url=parsed.canonical_url
            )
            calls = [("profiles", lambda p: asdict(p.fetch_profile(ref)))]
            if options["recent"]:
                calls.append(("recent_posts", lambda p: _recent(p, ref, options["recent"])))

        names = settings.PLATFORM_PROVIDERS.get(parsed.platform, [])
        if not names:
            raise CommandError(f"No provider is configured for {parsed.platform}.")
        for operation, call in calls:
            for name in names:
                self.stdout.write(self.style.MIGRATE_HEADING(f"\n{name} ({operation})"))
                self._ask(name, operation, parsed.platform, call)

    def _ask(self, name: str, operation: str, platform: str, call) -> None:
        try:
            provider = provider_by_name(name)
        except LookupError as exc:
            self.stdout.write(self.style.ERROR(f"  {exc}"))
            return
        if platform not in getattr(provider.capabilities, operation):
            self.stdout.write(f"  does not do {operation.replace('_', ' ')} on {platform}")
            return
        if not provider.is_configured():
            self.stdout.write(self.style.WARNING("  not configured (missing credentials)"))
            return
        try:
            ratelimit.before_call(provider.name)
            answer = call(provider)
        except ProviderError as error:
            ratelimit.after_error(provider.name, error)
            self.stdout.write(self.style.ERROR(f"  {type(error).__name__}: {error}"))
            return
        ratelimit.record_success(provider.name)
        if isinstance(answer, list):
            for line in answer:
                self.stdout.write(f"  {line}")
            return
        for key, value in answer.items():
            if value is not None and value != "":
                self.stdout.write(f"  {key}: {value}")


def _post(provider, ref: PostRef) -> dict:
    (result,) = provider.fetch_posts([ref])
    if result.error is not None:
        raise result.error
    return asdict(result.stats)


def _recent(provider, ref: ProfileRef, limit: int) -> list[str]:
    items = provider.list_recent_posts(ref, limit)
    lines = [f"{len(items)} recent post(s)"]
    for item in items:
        views = getattr(item, "views", None)
        lines.append(
            f"{item.post_id}  {item.url or ''}  views={views if views is not None else '—'}"
        )
    return lines
