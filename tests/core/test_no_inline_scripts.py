"""The admin runs under a CSP without 'unsafe-inline' scripts: no rendered admin page may hold an
inline event handler (`onclick=`…), an inline `<script>` without `src` (JSON data blocks
excepted) or a `javascript:` URL, or the browser silently ignores it and the button does
nothing.

The test signs in as a superuser, puts a row in every registered model, and follows every
admin link from the index (changelists, add pages, custom pages, change pages and the pages
they link to), scanning each page's HTML."""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.urls import reverse

from config.admin_menu import MENU
from posts.choices import TrialStatus
from tests.core.test_admin_smoke import INSTANCE_MAKERS
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

MAX_PAGES = 600
MAX_DEPTH = 3
# Reached by a link or a button that changes something (logout is a POST form anyway).
SKIPPED = ("/admin/logout/",)
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineScriptFinder(HTMLParser):
    """Collects the page's inline script sources and its `/admin/` links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        script_type = (values.get("type") or "").lower()
        if tag == "script" and not values.get("src") and script_type not in DATA_SCRIPT_TYPES:
            self.problems.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])


def scan(html: str) -> InlineScriptFinder:
    finder = InlineScriptFinder()
    finder.feed(html)
    finder.close()
    return finder


def admin_path(href: str) -> str | None:
    """The admin path a link leads to (query and fragment dropped), or None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = parts.path
    return path if path.startswith("/admin/") and path not in SKIPPED else None


def crawl(client, starts: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    """Every admin page reachable from `starts` (up to MAX_DEPTH links away): the problems of
    each page, and the paths visited."""
    problems: dict[str, list[str]] = {}
    seen = set(starts)
    queue = deque((url, 0) for url in starts)
    while queue and len(seen) < MAX_PAGES:
        url, depth = queue.popleft()
        response = client.get(url)
        assert response.status_code in (200, 302), f"{url} answered {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        finder = scan(response.content.decode())
        if finder.problems:
            problems[url] = finder.problems
        if depth >= MAX_DEPTH:
            continue
        for href in finder.links:
            path = admin_path(href)
            if path and path not in seen:
                seen.add(path)
                queue.append((path, depth + 1))
    return problems, seen


def test_the_scanner_finds_inline_handlers_and_scripts():
    html = (
        '<button onclick="go()">Go</button><script>alert(1)</script>'
        '<a href="javascript:void(0)">x</a>'
        '<script src="/static/a.js"></script><script type="application/json">{}</script>'
    )

    assert len(scan(html).problems) == 3


def test_no_admin_page_holds_an_inline_handler_or_script(superuser_client):
    for make in INSTANCE_MAKERS.values():
        make()
    PostFactory(is_trial=True, trial_status=TrialStatus.PENDING, views=10)
    PostFactory(is_trial=True, trial_status=TrialStatus.REJECTED, trial_note="Weak hook")
    # Pages a link reaches with a query string the crawl drops.
    trial_board = reverse("admin:posts_trial_board")
    starts = [
        reverse("admin:index"),
        f"{trial_board}?status=rejected",
        f"{reverse('admin:posts_boards')}?period=custom&from=2026-01-01&to=2026-01-31",
    ]

    problems, seen = crawl(superuser_client, starts)

    assert problems == {}
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        assert reverse("admin:{}_{}_changelist".format(*info)) in seen
    for entry in MENU:
        assert reverse(f"admin:{entry.url_name}") in seen
    assert trial_board in seen
