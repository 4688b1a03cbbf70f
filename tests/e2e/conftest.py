"""Browser tests: a real Chromium driven by Playwright against pytest-django's live server.

Fixtures for every browser test:
- `browser`: one headless Chromium per test module;
- `page`: a fresh browser context and page per test (its own cookies);
- `admin_login(page, live_server, user, password=None)`: signs `user` in to the admin;
- `screenshot(page, name)`: saves `tests/e2e/artifacts/<name>.png` (gitignored).
Mark browser tests `@pytest.mark.browser`; they use `live_server`, hence a transactional
database: rows created in the test are committed and seen by the server's thread.
"""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 15_000
PASSWORD = "browser-pass-123"


@pytest.fixture(scope="module", autouse=True)
def allow_orm_next_to_playwright():
    """While Playwright's sync API is started, its event loop counts as running in this thread
    and Django refuses ORM calls ("You cannot call this from an async context"); the tests'
    ORM calls are synchronous. Allowed for the browser test modules only: other tests (and
    the subprocesses they start) keep Django's protection."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def playwright(django_db_setup, allow_orm_next_to_playwright):
    """Started per test module (not per session): the running event loop it leaves in this
    thread must not outlive the browser tests."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"No Chromium at {CHROMIUM}.")
    instance = sync_api.sync_playwright().start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _admin_login(page, live_server, user, password: str | None = None) -> None:
    """Sign `user` in through the admin's login form (sets a known password when none is
    given) and wait for the admin index."""
    if password is None:
        password = PASSWORD
        user.set_password(password)
        user.save(update_fields=["password"])
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


@pytest.fixture
def admin_login():
    """`admin_login(page, live_server, user, password=None)`."""
    return _admin_login


@pytest.fixture
def screenshot():
    """`screenshot(page, name)`: a full-page PNG in tests/e2e/artifacts/; returns its path."""

    def save(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
