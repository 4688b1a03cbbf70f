"""Recompute the account figures of specs/metrics.md and specs/finance.md."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from creators.models import Account
from finance.metrics import account_figures_recompute


class Command(BaseCommand):
    help = (
        "Recompute every account's metrics and monthly figures (and its posts' engagement "
        "rate), or only those of --account. --now computes them as of another moment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--account",
            type=int,
            action="append",
            dest="accounts",
            metavar="ID",
            help="An account id; repeat for several. Default: every account.",
        )
        parser.add_argument(
            "--now",
            help="ISO 8601 moment to compute as of (default: now); without an offset, "
            "in the TIME_ZONE setting.",
        )

    def handle(self, *args, **options) -> None:
        now = _parse_now(options["now"])
        ids = options["accounts"]
        if ids:
            missing = sorted(
                set(ids) - set(Account.objects.filter(pk__in=ids).values_list("pk", flat=True))
            )
            if missing:
                raise CommandError(f"No account with id {', '.join(map(str, missing))}.")
        started = time.monotonic()
        count = account_figures_recompute(account_ids=ids, now=now)
        scope = (
            "every account"
            if ids is None
            else f"account{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))}"
        )
        as_of = f" as of {now.isoformat()}" if now else ""
        self.stdout.write(
            self.style.SUCCESS(f"Recomputed the metrics of {_plural(count, 'account')}")
            + f" ({scope}){as_of} in {time.monotonic() - started:.1f} s."
        )


def _parse_now(value: str | None):
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"--now {value!r} is not an ISO 8601 date and time.")
    return make_aware(moment) if is_naive(moment) else moment


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
