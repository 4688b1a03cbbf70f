"""Recorded samples and a fake provider API on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from platforms import http
from platforms.providers import registry

# A copy of the team's recorded samples (shared/samples, see specs/platforms.md §5), kept in the
# repository so the suite runs the same on any clean clone.
SAMPLES = Path(__file__).resolve().parent / "samples"

# The samples write "<int>" for a counter their source did not pin: give each a known value.
PLACEHOLDER_INTS = {
    "view_count": 1001,
    "like_count": 102,
    "comment_count": 13,
    "repost_count": 4,
    "save_count": 5,
    "channel_follower_count": 6000,
}


def _fill(value: Any, key: str | None = None) -> Any:
    if value == "<int>":
        return PLACEHOLDER_INTS.get(key or "", 7)
    if isinstance(value, dict):
        return {k: _fill(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v) for v in value]
    return value


def load_sample(name: str) -> dict[str, Any]:
    """A sample file with its "<int>" placeholders replaced by PLACEHOLDER_INTS values."""
    return _fill(json.loads((SAMPLES / name).read_text()))


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON; str/bytes as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeAPI:
    """An HTTP server on 127.0.0.1: scripted replies first (misbehaviour), then `route`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.scripted: deque[Reply] = deque()
        self.route: Callable[[Request], Reply] = lambda request: Reply(404, {"error": "no route"})
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers=dict(self.headers),
                    body=json.loads(raw) if raw else None,
                )
                fake.requests.append(request)
                reply = fake.scripted.popleft() if fake.scripted else fake.route(request)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body
                if isinstance(body, dict | list):
                    body = json.dumps(body).encode()
                elif isinstance(body, str):
                    body = body.encode()
                body = body or b""
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_GET = do_POST = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def calls(self, path_suffix: str) -> list[Request]:
        return [r for r in self.requests if r.path.endswith(path_suffix)]


@pytest.fixture
def fake_api():
    api = FakeAPI()
    api.thread.start()
    yield api
    api.server.shutdown()
    api.server.server_close()


@pytest.fixture
def providers_settings(settings, fake_api):
    """Every provider configured and pointed at the fake API; fast retries and timeouts."""
    settings.YOUTUBE_API_KEY = "test-key"
    settings.INSTAGRAM_GRAPH_TOKEN = "test-token"
    settings.INSTAGRAM_GRAPH_USER_ID = "17841406338772941"
    settings.APIFY_TOKEN = "test-apify"
    settings.YOUTUBE_API_BASE_URL = fake_api.url + "/youtube/v3"
    settings.GRAPH_API_BASE_URL = fake_api.url + "/v21.0"
    settings.APIFY_BASE_URL = fake_api.url + "/v2"
    settings.PROVIDER_RETRY_BACKOFF_S = 0.0
    settings.PROVIDER_RETRIES = 2
    settings.PROVIDER_READ_TIMEOUT_S = 2.0
    settings.APIFY_READ_TIMEOUT_S = 2.0
    settings.PLATFORM_PROVIDERS = {
        "instagram": ["apify", "instagram_graph"],
        "tiktok": ["apify"],
        "youtube": ["youtube_api"],
    }
    registry.clear_cache()
    http._sessions.clear()
    yield settings
    registry.clear_cache()
    http._sessions.clear()
