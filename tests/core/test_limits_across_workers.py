"""The login lockout and the API throttle hold across processes: a real gunicorn with 4 workers
against the test database, hammered with concurrent requests. Each limit is exact (no margin):
every attempt or request takes its unit with one conditional UPDATE in the database."""

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from settings_app.services import api_key_create
from tests.settings_app.factories import UserFactory

WORKERS = 4
USER_FAILURES = 5
ADDRESS_FAILURES = 10
KEY_RATE = 20
PASSWORD = "right-pass-w0rd"
WRONG_LOGIN = "Please enter the correct username and password"
LOCKED = "Too many failed logins."


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(transactional_db):
    """The base URL of gunicorn (4 workers) serving the test database."""
    port = _free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PRODUCTION", "DEBUG", "CACHE_URL", "TRUSTED_PROXIES")
        and not name.startswith(("LOGIN_LOCKOUT_", "API_THROTTLE_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=_database_url(),
        LOGIN_LOCKOUT_FAILURES=str(USER_FAILURES),
        LOGIN_LOCKOUT_ADDRESS_FAILURES=str(ADDRESS_FAILURES),
        API_THROTTLE_KEY_RATE=f"{KEY_RATE}/minute",
        LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi", "--preload"),
            *("--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--timeout", "120"),
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(f"{base}/admin/login/", timeout=120)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.3)
        # Warm every worker up (first templates, first connection) before hammering.
        _all_at_once(4 * WORKERS, lambda _: requests.get(f"{base}/admin/login/", timeout=120))
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _all_at_once(count: int, call) -> list:
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(call, range(count)))


def _login_form(base: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{base}/admin/login/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return session, token


def _outcome(answer: requests.Response) -> str:
    if answer.status_code == 302:
        return "signed in"
    assert answer.status_code == 200, answer.status_code
    text = answer.text
    return "locked" if LOCKED in text else "wrong" if WRONG_LOGIN in text else "other"


def test_concurrent_workers_keep_the_login_lockout_and_ignore_forged_addresses(server):
    user = UserFactory(username="alice", is_staff=True)
    # The server uses the default hashers (the tests' fast MD5 is not among them).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "somesalt")
    user.save(update_fields=["password"])
    session, token = _login_form(server)

    def attempt(username, password, forged_address):
        return _outcome(
            session.post(
                f"{server}/admin/login/",
                data={"csrfmiddlewaretoken": token, "username": username, "password": password},
                headers={"Referer": f"{server}/admin/login/", "X-Forwarded-For": forged_address},
                allow_redirects=False,
                timeout=120,
            )
        )

    # 20 wrong passwords for alice at once, each "from" another address: exactly 5 are checked.
    outcomes = _all_at_once(20, lambda n: attempt("alice", "wrong", f"203.0.113.{n}"))
    assert outcomes.count("wrong") == USER_FAILURES, outcomes
    assert outcomes.count("locked") == 20 - USER_FAILURES, outcomes
    # Locked: alice's right password is refused too.
    assert attempt("alice", PASSWORD, "198.51.100.1") == "locked"

    # 20 guesses of other usernames at once: the forged addresses are ignored, the one real
    # address has ADDRESS_FAILURES - USER_FAILURES attempts left.
    outcomes = _all_at_once(20, lambda n: attempt(f"guess{n}", "wrong", f"198.51.100.{n}"))
    assert outcomes.count("wrong") == ADDRESS_FAILURES - USER_FAILURES, outcomes
    assert outcomes.count("locked") == 20 - (ADDRESS_FAILURES - USER_FAILURES), outcomes


def test_concurrent_workers_keep_the_api_key_rate(server):
    _, raw_key = api_key_create(user=UserFactory(is_staff=True), name="hammer", scopes=None)

    def call(_):
        answer = requests.get(
            f"{server}/api/v1/clients/",
            headers={"Authorization": f"Api-Key {raw_key}"},
            timeout=120,
        )
        return answer.status_code

    statuses = _all_at_once(5 * KEY_RATE, call)

    assert statuses.count(200) == KEY_RATE, statuses
    assert statuses.count(429) == 4 * KEY_RATE, statuses
