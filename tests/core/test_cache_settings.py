"""The cache and proxy settings: checked in a fresh interpreter (settings are read at import)."""

import secrets

from django.db import connection

from tests.core.test_settings import SETUP, run

PRODUCTION = {"PRODUCTION": "true", "SECRET_KEY": secrets.token_urlsafe(64)}
DEPLOY_CHECK = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
WITHOUT_REDIS = "import sys; sys.modules['redis'] = None; "


def test_the_default_cache_is_the_database_and_its_table_exists_after_migrate(db, settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert "creatorops_cache" in connection.introspection.table_names()


def test_a_redis_cache_url_without_the_redis_package_stops_the_start_up():
    result = run(WITHOUT_REDIS + SETUP, CACHE_URL="redis://127.0.0.1:6379/1")

    assert result.returncode != 0
    assert "CACHE_URL is a Redis URL but the redis package is not installed" in result.stderr
    assert "started" not in result.stdout


def test_the_deploy_check_catches_a_redis_cache_url_without_the_redis_package():
    check = "import sys; from django.core.management import execute_from_command_line; "
    code = f"{WITHOUT_REDIS}{check}execute_from_command_line({['manage.py', *DEPLOY_CHECK[1:]]})"
    result = run(
        code, CACHE_URL="redis://127.0.0.1:6379/1", ALLOWED_HOSTS="example.com", **PRODUCTION
    )

    assert result.returncode != 0
    assert "redis package is not installed" in result.stderr


def test_the_deploy_check_warns_of_a_per_process_cache_in_production():
    result = run(
        DEPLOY_CHECK, CACHE_URL="locmemcache://", ALLOWED_HOSTS="example.com", **PRODUCTION
    )

    assert result.returncode != 0
    assert "creatorops.W001" in result.stderr + result.stdout
    assert "per-process cache" in result.stderr + result.stdout


def test_a_malformed_trusted_proxy_stops_the_start_up():
    result = run(SETUP, TRUSTED_PROXIES="10.0.0.0/8,proxy.internal")

    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.internal' is not an IP address or network." in result.stderr
