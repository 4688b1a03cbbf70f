"""deploy/: the gunicorn config, the systemd units and the production environment example
describe a deployment that works with this code."""

import json
import os
import runpy
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands
from gunicorn.config import Config

BASE = Path(settings.BASE_DIR)
DEPLOY = BASE / "deploy"
INSTALL_DIR = "/opt/creatorops"  # where the units expect the code
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ENV_EXAMPLE = DEPLOY / "production.env.example"


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, separator, value = line.partition("=")
            assert separator and name == name.strip() and " " not in name, line
            values[name] = value
    return values


def production_environment(**extra: str) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "DEBUG") and not name.startswith("DJANGO_")
    }
    environment.update(env_example())
    environment["SECRET_KEY"] = secrets.token_urlsafe(64)
    environment.update(extra)
    return environment


def gunicorn_settings(monkeypatch, **environment: str) -> Config:
    for name in ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)  # gunicorn's own validation
    return config


def service_lines(path: Path) -> list[tuple[str, str]]:
    """The [Service] section's NAME=value lines, in order (systemd repeats ExecStart=)."""
    lines, section = [], None
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            lines.append((name, value))
    return lines


def service(path: Path) -> dict[str, str]:
    return dict(service_lines(path))


def exec_lines(path: Path) -> list[list[str]]:
    return [
        shlex.split(value) for name, value in service_lines(path) if name.startswith("ExecStart")
    ]


def test_the_gunicorn_config_serves_the_django_application_with_sane_limits(monkeypatch):
    config = gunicorn_settings(monkeypatch)

    assert config.wsgi_app == "config.wsgi:application"
    assert config.bind == ["127.0.0.1:8000"]
    assert 2 <= config.workers <= 9
    assert config.worker_class_str == "sync"
    assert 0 < config.graceful_timeout <= config.timeout <= 120
    assert config.max_requests > 0 and config.max_requests_jitter > 0
    # gunicorn's default trusts 127.0.0.1; ours trusts exactly TRUSTED_PROXIES: none here.
    assert config.forwarded_allow_ips == []


def test_the_gunicorn_config_follows_the_environment(monkeypatch):
    config = gunicorn_settings(
        monkeypatch,
        GUNICORN_BIND="0.0.0.0:8001",
        WEB_CONCURRENCY="3",
        GUNICORN_TIMEOUT="45",
        TRUSTED_PROXIES="10.0.0.1/8,127.0.0.1",
    )

    assert config.bind == ["0.0.0.0:8001"]
    assert config.workers == 3
    assert config.timeout == 45
    assert config.forwarded_allow_ips == ["10.0.0.0/8", "127.0.0.1/32"]


def test_gunicorn_loads_the_application_with_the_deploy_config():
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=BASE,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr


def test_every_variable_of_the_environment_example_is_read():
    readers = (BASE / "config" / "settings.py").read_text() + (
        DEPLOY / "gunicorn.conf.py"
    ).read_text()

    unread = [name for name in env_example() if f'"{name}"' not in readers]

    assert not unread, f"read by neither config/settings.py nor deploy/gunicorn.conf.py: {unread}"


def test_the_environment_example_passes_the_deploy_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_environment_example_shares_database_cache_broker_and_media():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
        "'cache': s.CACHES['default']['BACKEND'], 'broker': s.Q_CLUSTER.get('redis'), "
        "'media': str(s.MEDIA_ROOT), 'proxies': s.TRUSTED_PROXIES, "
        "'ssl_header': s.SECURE_PROXY_SSL_HEADER, 'debug': s.DEBUG}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE,
        env=production_environment(DJANGO_SETTINGS_MODULE="config.settings"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)

    assert loaded["db"] == "django.db.backends.postgresql"
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["broker"].startswith("redis://")
    assert loaded["media"] == env_example()["MEDIA_ROOT"]
    assert loaded["proxies"] and loaded["ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded["debug"] is False


@pytest.mark.parametrize("path", UNITS, ids=[path.name for path in UNITS])
def test_each_systemd_unit_runs_commands_that_exist(path):
    settings_of_unit = service(path)
    commands = exec_lines(path)

    assert settings_of_unit["WorkingDirectory"] == INSTALL_DIR
    assert settings_of_unit["EnvironmentFile"] == "/etc/creatorops/production.env"
    assert commands
    for command in commands:
        executable = Path(command[0].replace(INSTALL_DIR, str(BASE)))
        assert executable.exists() or Path(command[0]).exists(), command
        if "manage.py" in command:
            name = command[command.index("manage.py") + 1]
            assert name in get_commands(), f"{path.name}: no manage.py {name}"
        if executable.name == "gunicorn":
            config_file = command[command.index("-c") + 1]
            assert (BASE / config_file).exists()
            assert command[-1] == "config.wsgi"


def test_the_units_cover_web_worker_and_release():
    lines = {path.name: [" ".join(c) for c in exec_lines(path)] for path in UNITS}

    assert any(
        "gunicorn -c deploy/gunicorn.conf.py config.wsgi" in line
        for line in lines["creatorops-web.service"]
    )
    assert any(line.endswith("manage.py qcluster") for line in lines["creatorops-worker.service"])
    release = lines["creatorops-release.service"]
    assert any("migrate" in line for line in release)
    assert any("sync_schedules" in line for line in release)


def test_the_worker_unit_waits_for_running_tasks_to_finish():
    worker = service(DEPLOY / "systemd" / "creatorops-worker.service")

    assert int(worker["TimeoutStopSec"]) > int(env_example()["Q_TIMEOUT"])
    assert worker["KillMode"] == "control-group"
