"""Create the first superuser from the environment, once; `make run` calls it on every start."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

CREDENTIALS_FILE = ".admin-credentials"


class Command(BaseCommand):
    help = (
        "Create a superuser if there is none: ADMIN_USERNAME (default 'admin'), ADMIN_EMAIL, "
        "ADMIN_PASSWORD. Without a password one is generated, printed once and written to "
        f"{CREDENTIALS_FILE} (mode 0600). Does nothing when a superuser exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--credentials-file",
            type=Path,
            default=Path(settings.BASE_DIR) / CREDENTIALS_FILE,
            help="Where a generated password is written.",
        )

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        credentials_file: Path = options["credentials_file"]
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            message = f"A superuser already exists ({existing.get_username()}): nothing to do."
            if credentials_file.exists():
                message += f" Its generated password, if unchanged, is in {credentials_file}."
            self.stdout.write(message)
            return

        username = os.environ.get("ADMIN_USERNAME", "").strip() or "admin"
        email = os.environ.get("ADMIN_EMAIL", "").strip()
        password = os.environ.get("ADMIN_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(18)
        else:
            self._check_password(password, username, email)

        with transaction.atomic():
            if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
                raise CommandError(
                    f"A user named {username!r} exists but is not a superuser. Set ADMIN_USERNAME "
                    "to another name, or promote that user with `manage.py createsuperuser`."
                )
            User.objects.create_superuser(username=username, email=email, password=password)

        self.stdout.write(self.style.SUCCESS(f"Superuser {username!r} created."))
        if generated:
            _write_private(credentials_file, f"username: {username}\npassword: {password}\n")
            # Shown once: the file is the only other place it exists.
            self.stdout.write(f"  username: {username}\n  password: {password}")
            self.stdout.write(
                f"  (also saved to {credentials_file}, readable only by you; "
                "change the password in the admin and delete the file)"
            )

    def _check_password(self, password: str, username: str, email: str) -> None:
        User = get_user_model()
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            problems = " ".join(exc.messages)
            if settings.PRODUCTION:
                raise CommandError(f"ADMIN_PASSWORD is too weak: {problems}") from exc
            self.stderr.write(self.style.WARNING(f"Warning: ADMIN_PASSWORD is weak: {problems}"))


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # the mode given to open() does not apply to an existing file
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
