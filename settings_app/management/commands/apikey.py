"""`manage.py apikey create|revoke|list`: API keys from the command line (as in the admin)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.errors import DomainError
from settings_app.models import ApiKey
from settings_app.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = "Create, revoke or list API keys. A key acts with its user's role."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key; the key is printed once.")
        create.add_argument("--user", required=True, help="Username of the key's owner.")
        create.add_argument("--name", required=True, help="What the key is for.")
        create.add_argument("--read-only", action="store_true", help="May only read.")
        expiry = create.add_mutually_exclusive_group()
        expiry.add_argument("--expires-in-days", type=int, help="Expires after N days.")
        expiry.add_argument("--expires-at", help="Expires at this ISO 8601 date-time.")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="List keys (never the keys themselves).")
        listing.add_argument("--user", help="Only this user's keys.")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except DomainError as error:
            raise CommandError(str(error)) from error

    def _create(self, *, user, name, read_only, expires_in_days, expires_at, **_):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        when = None
        if expires_in_days is not None:
            when = timezone.now() + timedelta(days=expires_in_days)
        elif expires_at:
            when = parse_datetime(expires_at)
            if when is None:
                raise CommandError("--expires-at: use ISO 8601, e.g. 2027-01-31T00:00:00Z.")
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        key, raw_key = api_key_create(
            user=owner, name=name, scopes=["read"] if read_only else [], expires_at=when
        )
        self.stderr.write(
            f"Created {key} for {owner.username}. Copy it now, it won't be shown again:"
        )
        self.stdout.write(raw_key)

    def _revoke(self, *, prefix, **_):
        key = ApiKey.objects.filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"No key with prefix {prefix!r}.")
        api_key_revoke(key=key)
        self.stdout.write(f"Revoked {key}.")

    def _list(self, *, user, **_):
        keys = ApiKey.objects.select_related("user").order_by("-created_at")
        if user:
            keys = keys.filter(user__username=user)
        now = timezone.now()
        for key in keys.iterator():
            if key.revoked_at:
                status = "revoked"
            elif key.expires_at and key.expires_at <= now:
                status = "expired"
            else:
                status = "active"
            scopes = ",".join(key.scopes) or "full"
            self.stdout.write(
                f"{key.prefix}\t{key.user.username}\t{key.name}\t{scopes}\t{status}\t"
                f"expires={key.expires_at or '-'}\tlast_used={key.last_used_at or '-'}"
            )
