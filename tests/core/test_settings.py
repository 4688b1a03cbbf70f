"""Settings are checked in a fresh interpreter: they are read once, at import."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

SETUP = "import django; django.setup(); print('started')"


def run(code_or_args: str | list[str], **env: str) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("SECRET_KEY", "DEBUG", "PRODUCTION", "ALLOWED_HOSTS")
    }
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    environment.update(env)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def dotenv_sets(name: str) -> bool:
    dotenv = settings.BASE_DIR / ".env"
    return dotenv.exists() and any(
        line.strip().startswith(f"{name}=") for line in dotenv.read_text().splitlines()
    )


def test_development_starts_without_any_configuration():
    result = run(SETUP)

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    if dotenv_sets("SECRET_KEY"):
        pytest.skip("the local .env sets SECRET_KEY")

    result = run(SETUP, PRODUCTION="true", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "started" not in result.stdout


@pytest.mark.parametrize(
    "secret_key",
    ["django-insecure-" + "x1y2z3" * 10, "short-but-random-8f3k", "a" * 64],
    ids=["django-insecure", "too-short", "not-random"],
)
def test_production_refuses_a_weak_secret_key(secret_key):
    result = run(SETUP, PRODUCTION="true", DEBUG="false", SECRET_KEY=secret_key)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = run(SETUP, PRODUCTION="true", DEBUG="true", SECRET_KEY=secrets.token_urlsafe(64))

    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION="true",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
