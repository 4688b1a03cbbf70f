"""Short links are followed against a fake platform server on 127.0.0.1.

The session's adapter sends requests for the platforms' hosts to the fake server, so the real
redirect-following code runs unchanged over real HTTP.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from platforms.resolve import ShortLinkError, resolve_short_link

VIDEO = "https://www.tiktok.com/@scout2015/video/6718335390845095173?_r=1&_t=8abc"

ROUTES = {
    "/ZTR45GpSF/": (301, VIDEO),
    "/hop1/": (302, "https://vt.tiktok.com/hop2/"),
    "/hop2/": (302, "https://www.instagram.com/reel/Chunk8-jurw/?igsh=abc"),
    "/evil/": (302, "https://evil.example.com/phish"),
    "/dead/": (404, None),
    "/loop/": (302, "https://vm.tiktok.com/loop/"),
    "/t/relative/": (302, "/@scout2015/video/6718335390845095173"),
}


class FakePlatform(BaseHTTPRequestHandler):
    def do_GET(self):
        status, location = ROUTES.get(self.path, (404, None))
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class ToFakeServer(HTTPAdapter):
    def __init__(self, port: int):
        super().__init__()
        self.port = port

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.hostname
        request.url = urlunsplit(("http", f"127.0.0.1:{self.port}", parts.path, parts.query, ""))
        return super().send(request, **kwargs)


@pytest.fixture(scope="module")
def session():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePlatform)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    session = requests.Session()
    session.mount("https://", ToFakeServer(server.server_address[1]))
    yield session
    server.shutdown()


def test_a_tiktok_short_link_leads_to_its_video(session):
    parsed = resolve_short_link("https://vm.tiktok.com/ZTR45GpSF/", session=session)
    assert (parsed.platform, parsed.post_id, parsed.username) == (
        "tiktok",
        "6718335390845095173",
        "scout2015",
    )
    assert parsed.canonical_url == "https://www.tiktok.com/@scout2015/video/6718335390845095173"


def test_several_redirects_are_followed_across_platform_hosts(session):
    parsed = resolve_short_link("https://vm.tiktok.com/hop1/", session=session)
    assert parsed.canonical_url == "https://www.instagram.com/p/Chunk8-jurw/"


def test_a_relative_redirect_is_resolved_against_the_short_link_host(session):
    parsed = resolve_short_link("https://www.tiktok.com/t/relative/", session=session)
    assert parsed.post_id == "6718335390845095173"


def test_a_redirect_outside_the_platforms_is_never_followed(session):
    with pytest.raises(ShortLinkError, match="outside the platforms"):
        resolve_short_link("https://vm.tiktok.com/evil/", session=session)


def test_a_dead_short_link_says_so(session):
    with pytest.raises(ShortLinkError, match="HTTP 404"):
        resolve_short_link("https://vm.tiktok.com/dead/", session=session)


def test_a_redirect_loop_stops(session):
    with pytest.raises(ShortLinkError, match="too many times"):
        resolve_short_link("https://vm.tiktok.com/loop/", session=session)


def test_an_unreachable_host_is_a_short_link_error():
    session = requests.Session()
    session.mount("https://", ToFakeServer(1))  # nothing listens on port 1
    with pytest.raises(ShortLinkError, match=r"Could not reach vm\.tiktok\.com"):
        resolve_short_link("https://vm.tiktok.com/ZTR45GpSF/", session=session)
