"""Fake Instagram Graph, TikTok and YouTube publishing servers on 127.0.0.1.

Each speaks the real protocol with bodies shaped like shared/samples/publish (copied below where
they are responses), COUNTS every remote post it creates (`posts`), and injects faults queued per
operation with `fail(operation, Fault(...))`: an HTTP error, or `after_commit=True` to do the work
and then never answer (`drop` closes the connection; otherwise it answers too late).
Duplicates are never refused: a second publish creates a second post, so a test sees it.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-token"
GRAPH_190 = {
    "error": {
        "message": "Error validating access token: Session has expired.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "fbtrace_id": "EJplcsCHuLu",
    }
}
TIKTOK_OK = {"code": "ok", "message": "", "log_id": "202210112248442CB9319E1FB30C1073F3"}


@dataclass
class Fault:
    """One injected misbehaviour for the next call of an operation."""

    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Do the operation's work (the post is created), then lose the answer.
    after_commit: bool = False
    #: Close the connection instead of answering (with after_commit: after the work; without:
    #: before any work).
    drop: bool = False
    #: Without after_commit: do nothing, answer `status` only after `late_s` (a timeout before
    #: the work).
    hang: bool = False
    late_s: float = 3.0


@dataclass
class Call:
    operation: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakePlatform:
    """A threaded HTTP server; subclasses implement `route(call) -> (operation, handler)`."""

    def __init__(self) -> None:
        self.token = TOKEN
        #: More accepted tokens (one per account): a post remembers the token that made it,
        #: and the recent-posts listings show only that token's posts, like the platforms.
        self.tokens: set[str] = set()
        self.posts: list[dict[str, Any]] = []
        self.calls: list[Call] = []
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        #: Extra headers on every answer of an operation ("*": of every operation), e.g. Meta's
        #: X-App-Usage.
        self.headers: dict[str, dict[str, str]] = {}
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        #: Seconds every answer takes (a real platform's latency), and the most calls seen in
        #: flight at once: in all and per token (one account).
        self.latency_s = 0.0
        self.in_flight: dict[str, int] = defaultdict(int)
        self.most_in_flight = 0
        self.most_in_flight_per_token = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: without TCP_NODELAY the body waits for the
            # client's delayed ACK (~40 ms a call), which no real platform adds.
            disable_nagle_algorithm = True

            def _handle(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> FakePlatform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, operation: str, *faults: Fault) -> None:
        """Queue faults for the next calls of `operation`."""
        self.faults[operation].extend(faults)

    def count(self, operation: str) -> int:
        return sum(1 for c in self.calls if c.operation == operation)

    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids)}"

    def create_post(self, **facts: Any) -> dict[str, Any]:
        post = {"id": self.new_id("1789"), **facts}
        self.posts.append(post)
        return post

    def route(self, call: Call) -> tuple[str, Any]:
        raise NotImplementedError

    def unauthorized(self) -> Answer:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        call = Call(
            operation="",
            method=handler.command,
            path=parts.path,
            query={k: v[0] for k, v in parse_qs(parts.query).items()},
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        token = _bearer(call) or "-"  # upload URLs carry no token: one shared count
        with self.lock:
            self.in_flight["*"] += 1
            self.in_flight[token] += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight["*"])
            if token != "-":
                self.most_in_flight_per_token = max(
                    self.most_in_flight_per_token, self.in_flight[token]
                )
        try:
            self._answer(handler, call)
        finally:
            with self.lock:
                self.in_flight["*"] -= 1
                self.in_flight[token] -= 1

    def _answer(self, handler: BaseHTTPRequestHandler, call: Call) -> None:
        if self.latency_s:
            time.sleep(self.latency_s)
        with self.lock:
            call.operation, work = self.route(call)
            self.calls.append(call)
            fault = self.faults[call.operation].popleft() if self.faults[call.operation] else None
            if fault and not fault.after_commit:
                answer = Answer(fault.status, fault.body, fault.headers)
            elif self._authorized(call):
                answer = work(call)
            else:
                answer = self.unauthorized()
            extra = {**self.headers.get("*", {}), **self.headers.get(call.operation, {})}
            if extra:
                answer = Answer(answer.status, answer.body, {**answer.headers, **extra})
        if fault and (fault.after_commit or fault.drop or fault.hang):
            if fault.drop:
                handler.close_connection = True
                handler.connection.shutdown(2)
                return
            time.sleep(fault.late_s)
        self._write(handler, answer)

    def _authorized(self, call: Call) -> bool:
        return _bearer(call) in {self.token, *self.tokens}

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
        body = answer.body
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
        body = body or b""
        try:
            handler.send_response(answer.status)
            if body:
                handler.send_header("Content-Type", "application/json; charset=UTF-8")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _bearer(call: Call) -> str:
    return call.headers.get("authorization", "").removeprefix("Bearer ")


def _media_edge(call: Call) -> tuple[int, str | None] | None:
    """(limit, after cursor) of a `media.limit(N)[.after(C)]{...}` edge in the fields, or
    None when the read asks for no media edge."""
    found = re.search(
        r"(?:^|,)media\.limit\((\d+)\)(?:\.after\(([^)]*)\))?", call.query.get("fields", "")
    )
    return (int(found.group(1)), found.group(2)) if found else None


def _json(call: Call) -> dict[str, Any]:
    return json.loads(call.body) if call.body else {}


# --- Instagram Graph ---------------------------------------------------------------------------
class FakeGraph(FakePlatform):
    """/{ig-user}/media, /{container}, /{ig-user}/media_publish, content_publishing_limit,
    /{media}, and the own node read of the tracking provider (`/{ig-user}?fields=username,
    media.limit(N){...}`). Containers stay IN_PROGRESS for `in_progress_polls` status reads,
    then FINISHED. A published post starts with `first_stats` (likes, comments: the first
    media of shared/samples/ig_graph_business_discovery_media_page1.json)."""

    def __init__(self) -> None:
        super().__init__()
        self.containers: dict[str, dict[str, Any]] = {}
        self.in_progress_polls = 0
        self.quota_total = 50
        self.username = "fake.account"
        self.first_stats = {"like_count": 87, "comments_count": 11}

    def route(self, call: Call) -> tuple[str, Any]:
        segments = [s for s in call.path.split("/") if s][1:]  # drop the version
        if call.method == "POST" and segments[-1] == "media":
            return "create", self._create
        if call.method == "POST" and segments[-1] == "media_publish":
            return "publish", self._publish
        if segments[-1] == "content_publishing_limit":
            return "limit", self._limit
        if segments[0] in self.containers:
            return "status", self._status
        if call.method == "GET" and len(segments) == 1 and _media_edge(call):
            return "own_media", self._own_media
        if call.method == "GET" and segments[-1] == "media":
            return "recent", self._recent
        if call.method == "POST" and segments[-1] == "comments":
            return "comment", self._comment
        return "media", self._media

    def unauthorized(self) -> Answer:
        return Answer(400, GRAPH_190)

    def _create(self, call: Call) -> Answer:
        container_id = self.new_id("1788945556005")
        children = [c for c in call.query.get("children", "").split(",") if c]
        self.containers[container_id] = {
            "token": _bearer(call),
            "params": call.query,
            "children": children,
            "status_code": "IN_PROGRESS" if self.in_progress_polls else "FINISHED",
            "polls_left": self.in_progress_polls,
        }
        return Answer(200, {"id": container_id})

    def _status(self, call: Call) -> Answer:
        container_id = call.path.rstrip("/").split("/")[-1]
        container = self.containers[container_id]
        if container["status_code"] == "IN_PROGRESS":
            container["polls_left"] -= 1
            if container["polls_left"] < 0:
                container["status_code"] = "FINISHED"
        code = container["status_code"]
        sentences = {
            "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
            "IN_PROGRESS": "In Progress: Media is still being processed.",
            "PUBLISHED": "Published: Media has been published.",
            "EXPIRED": "Expired: Media was not published within 24 hours.",
            "ERROR": "Error: 2207020",
        }
        return Answer(200, {"id": container_id, "status": sentences[code], "status_code": code})

    def _publish(self, call: Call) -> Answer:
        container = self.containers.get(call.query.get("creation_id", ""))
        if container is None or container["status_code"] in ("IN_PROGRESS", "EXPIRED", "ERROR"):
            return Answer(
                400,
                {
                    "error": {
                        "message": "The media is not ready for publishing, please wait.",
                        "type": "OAuthException",
                        "code": 9007,
                        "error_subcode": 2207027,
                        "fbtrace_id": "A6LJylpZRKw2xKLFsAP-cJh",
                    }
                },
            )
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime())
        post = self.create_post(
            container=call.query["creation_id"],
            timestamp=stamp,
            token=container["token"],
            **self.first_stats,
            **container["params"],
        )
        container["status_code"] = "PUBLISHED"
        return Answer(200, {"id": post["id"]})

    def _limit(self, call: Call) -> Answer:
        config = {"quota_total": self.quota_total, "quota_duration": 86400}
        return Answer(200, {"data": [{"quota_usage": len(self.posts), "config": config}]})

    def _recent(self, call: Call) -> Answer:
        rows = [
            {
                "id": p["id"],
                "caption": p.get("caption", ""),
                "timestamp": p.get("timestamp", ""),
                "permalink": f"https://www.instagram.com/p/C{p['id']}/",
            }
            for p in reversed(self.posts)
            if p.get("token") == _bearer(call)
        ][: int(call.query.get("limit") or 25)]
        return Answer(200, {"data": rows})

    def _own_media(self, call: Call) -> Answer:
        """The account's own node with its media edge, shaped like a business_discovery
        answer (shared/samples/ig_graph_business_discovery_media_page1.json): the token's own
        posts, newest first, `limit` a page, the `after` cursor an offset."""
        limit, after = _media_edge(call)
        mine = [p for p in reversed(self.posts) if p.get("token") == _bearer(call)]
        start = int(after or 0)
        page = mine[start : start + limit]
        media: dict[str, Any] = {"data": [self._media_row(p) for p in page]}
        if page:
            media["paging"] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
        return Answer(
            200, {"username": self.username, "media": media, "id": call.path.split("/")[-1]}
        )

    @staticmethod
    def _media_row(post: dict[str, Any]) -> dict[str, Any]:
        kind = post.get("media_type") or "IMAGE"  # the container's: REELS, VIDEO, CAROUSEL
        is_video = kind in ("REELS", "VIDEO")
        media_type = "VIDEO" if is_video else "CAROUSEL_ALBUM" if kind == "CAROUSEL" else kind
        row = {
            "id": post["id"],
            "caption": post.get("caption", ""),
            "comments_count": post.get("comments_count", 0) + len(post.get("comments", [])),
            "like_count": post.get("like_count", 0),
            "media_type": media_type,
            "media_product_type": "REELS" if kind == "REELS" else "FEED",
            "media_url": post.get("video_url") or post.get("image_url") or "",
            "permalink": f"https://www.instagram.com/p/C{post['id']}/",
            "timestamp": post.get("timestamp", ""),
        }
        if is_video:
            row["thumbnail_url"] = post.get("cover_url") or "https://media.example.com/cover.jpg"
        return row

    def _comment(self, call: Call) -> Answer:
        media_id = call.path.rstrip("/").split("/")[-2]
        post = next((p for p in self.posts if p["id"] == media_id), None)
        if post is None:
            return Answer(400, {"error": {"message": "Object does not exist", "code": 100}})
        post.setdefault("comments", []).append(call.query.get("message", ""))
        return Answer(200, {"id": self.new_id("1790")})

    def _media(self, call: Call) -> Answer:
        media_id = call.path.rstrip("/").split("/")[-1]
        post = next((p for p in self.posts if p["id"] == media_id), None)
        if post is None:
            return Answer(400, {"error": {"message": "Object does not exist", "code": 100}})
        return Answer(
            200,
            {
                "id": media_id,
                "permalink": f"https://www.instagram.com/p/C{media_id}/",
                "shortcode": f"C{media_id}",
                "timestamp": "2024-05-01T09:00:00+0000",
                "caption": post.get("caption", ""),
            },
        )


# --- TikTok ------------------------------------------------------------------------------------
class FakeTikTok(FakePlatform):
    """creator_info, video/init (FILE_UPLOAD checks the chunk rules; PULL_FROM_URL), content/init
    (photos), PUT chunks on /upload/, status/fetch. A publish stays PROCESSING_* for
    `processing_polls` reads; `fail_reason` makes it FAILED (no post) instead."""

    def __init__(self) -> None:
        super().__init__()
        self.publishes: dict[str, dict[str, Any]] = {}
        self.processing_polls = 0
        self.fail_reason: str | None = None

    def route(self, call: Call) -> tuple[str, Any]:
        if call.path.startswith("/upload/"):
            return "chunk", self._chunk
        return {
            "/v2/post/publish/creator_info/query/": ("creator_info", self._creator_info),
            "/v2/post/publish/video/init/": ("init", self._video_init),
            "/v2/post/publish/content/init/": ("init", self._photo_init),
            "/v2/post/publish/status/fetch/": ("status", self._status),
            "/v2/video/list/": ("recent", self._recent),
        }[call.path]

    def _authorized(self, call: Call) -> bool:
        return call.path.startswith("/upload/") or super()._authorized(call)

    def unauthorized(self) -> Answer:
        return Answer(
            401,
            {
                "data": {},
                "error": {
                    "code": "access_token_invalid",
                    "message": "The access token is invalid or not found in the request.",
                    "log_id": "20240829190020EBE0D84CCEA6DE000CB6",
                },
            },
        )

    def _creator_info(self, call: Call) -> Answer:
        return Answer(
            200,
            {
                "data": {
                    "creator_avatar_url": "https://lf16-tt4d.tiktokcdn.com/obj/x",
                    "creator_username": "tiktok",
                    "creator_nickname": "TikTok Official",
                    "privacy_level_options": [
                        "PUBLIC_TO_EVERYONE",
                        "MUTUAL_FOLLOW_FRIENDS",
                        "SELF_ONLY",
                    ],
                    "comment_disabled": False,
                    "duet_disabled": False,
                    "stitch_disabled": True,
                    "max_video_post_duration_sec": 300,
                },
                "error": TIKTOK_OK,
            },
        )

    def _video_init(self, call: Call) -> Answer:
        body = _json(call)
        source = body.get("source_info") or {}
        if source.get("source") == "PULL_FROM_URL":
            publish_id = self.new_id("v_pub_url~v2.")
            self._start(publish_id, body, uploaded=True, token=_bearer(call))
            return Answer(200, {"data": {"publish_id": publish_id}, "error": TIKTOK_OK})
        size, chunk, count = (
            source.get(k) for k in ("video_size", "chunk_size", "total_chunk_count")
        )
        problem = _chunk_rule_broken(size, chunk, count)
        if problem:
            return Answer(400, _tiktok_error("invalid_param", problem))
        publish_id = self.new_id("v_pub_file~v2-1.")
        self._start(publish_id, body, uploaded=False, token=_bearer(call))
        self.publishes[publish_id]["received"] = 0
        upload_url = f"{self.url}/upload/video/?upload_id={publish_id}&upload_token=Xza123"
        return Answer(
            200, {"data": {"publish_id": publish_id, "upload_url": upload_url}, "error": TIKTOK_OK}
        )

    def _photo_init(self, call: Call) -> Answer:
        body = _json(call)
        publish_id = self.new_id("p_pub_url~v2.")
        self._start(publish_id, body, uploaded=True, token=_bearer(call))
        return Answer(200, {"data": {"publish_id": publish_id}, "error": TIKTOK_OK})

    def _chunk(self, call: Call) -> Answer:
        publish = self.publishes.get(call.query.get("upload_id", ""))
        if publish is None:
            return Answer(404)
        first, last, total = _content_range(call.headers.get("content-range", ""))
        if first != publish["received"] or last - first + 1 != len(call.body):
            return Answer(416)
        publish["received"] = last + 1
        headers = {"Content-Range": f"bytes 0-{last}/{total}"}
        if last + 1 < total:
            return Answer(206, headers=headers)
        self._uploaded(publish)
        return Answer(201, headers=headers)

    def _start(
        self, publish_id: str, body: dict[str, Any], *, uploaded: bool, token: str = ""
    ) -> None:
        self.publishes[publish_id] = {
            "id": publish_id,
            "body": body,
            "status": "PROCESSING_UPLOAD",
            "token": token,
        }
        if uploaded:
            self._uploaded(self.publishes[publish_id])

    def _uploaded(self, publish: dict[str, Any]) -> None:
        """All media arrived: TikTok posts it (or fails with `fail_reason`)."""
        publish["polls_left"] = self.processing_polls
        if self.fail_reason:
            publish["status"], publish["fail_reason"] = "FAILED", self.fail_reason
            return
        post = self.create_post(
            publish_id=publish["id"],
            create_time=int(time.time()),
            token=publish["token"],
            **publish["body"].get("post_info", {}),
        )
        publish["post_id"] = post["id"]
        publish["status"] = "PROCESSING_DOWNLOAD" if publish["polls_left"] else "PUBLISH_COMPLETE"

    def _status(self, call: Call) -> Answer:
        publish = self.publishes.get(_json(call).get("publish_id", ""))
        if publish is None:
            return Answer(400, _tiktok_error("invalid_publish_id", "publish_id not found"))
        if publish["status"].startswith("PROCESSING") and "polls_left" in publish:
            publish["polls_left"] -= 1
            if publish["polls_left"] < 0:
                publish["status"] = "PUBLISH_COMPLETE"
        public = publish["body"].get("post_info", {}).get("privacy_level") == "PUBLIC_TO_EVERYONE"
        done = publish["status"] == "PUBLISH_COMPLETE" and public and "post_id" in publish
        data = {
            "status": publish["status"],
            "publicaly_available_post_id": [publish["post_id"]] if done else [],
            "uploaded_bytes": publish.get("received", 0),
        }
        if publish.get("fail_reason"):
            data["fail_reason"] = publish["fail_reason"]
        return Answer(200, {"data": data, "error": TIKTOK_OK})

    def _recent(self, call: Call) -> Answer:
        """`video/list`: the creator's posts TikTok has finished publishing, newest first."""
        done = {
            p["post_id"]
            for p in self.publishes.values()
            if p["status"] == "PUBLISH_COMPLETE" and "post_id" in p and p["token"] == _bearer(call)
        }
        videos = [
            {
                "id": p["id"],
                "title": p.get("title", ""),
                "create_time": p["create_time"],
                "share_url": f"https://www.tiktok.com/@tiktok/video/{p['id']}?utm_source=fake",
            }
            for p in reversed(self.posts)
            if p["id"] in done
        ][: int(_json(call).get("max_count") or 20)]
        return Answer(
            200, {"data": {"videos": videos, "cursor": 0, "has_more": False}, "error": TIKTOK_OK}
        )


def _tiktok_error(code: str, message: str) -> dict[str, Any]:
    return {"data": {}, "error": {"code": code, "message": message, "log_id": "2024FAKE"}}


def _chunk_rule_broken(size: int, chunk: int, count: int) -> str | None:
    if not (size and chunk and count):
        return "video_size, chunk_size and total_chunk_count are required"
    if size < 5 * 1024 * 1024:
        return None if chunk == size and count == 1 else "a video under 5 MB is one chunk"
    if not 5_000_000 <= chunk <= 64 * 1024 * 1024:
        return "chunk_size must be 5-64 MB"
    if count != size // chunk or not 1 <= count <= 1000:
        return "total_chunk_count must be floor(video_size / chunk_size)"
    if size - (count - 1) * chunk > 128_000_000:
        return "the last chunk must be at most 128 MB"
    return None


def _content_range(value: str) -> tuple[int, int, int]:
    spec, total = value.removeprefix("bytes ").split("/")
    if spec == "*":
        return -1, -1, int(total)
    first, last = spec.split("-")
    return int(first), int(last), int(total)


# --- YouTube -----------------------------------------------------------------------------------
class FakeYouTube(FakePlatform):
    """POST /upload/youtube/v3/videos?uploadType=resumable → Location; PUT on the session URI:
    chunks (308 with Range, or 201 with the video), `bytes */N` probes. `keep_at_most` makes the
    server keep fewer bytes of a chunk than were sent (the client must resume from Range)."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.keep_at_most: int | None = None

    def route(self, call: Call) -> tuple[str, Any]:
        if call.method == "GET" and call.path.endswith("/channels"):
            return "channels", self._channels
        if call.method == "GET" and call.path.endswith("/playlistItems"):
            return "recent", self._recent
        if call.method == "POST":
            return "init", self._init
        first, _, total = _content_range(call.headers.get("content-range", "bytes */0"))
        if first < 0:
            return "probe", self._probe
        session = self.sessions.get(call.query.get("upload_id", ""))
        if session and first + len(call.body) >= total:
            return "final_chunk", self._chunk
        return "chunk", self._chunk

    def unauthorized(self) -> Answer:
        return Answer(
            401,
            {
                "error": {
                    "code": 401,
                    "message": "Request had invalid authentication credentials.",
                    "errors": [
                        {
                            "message": "Invalid Credentials",
                            "domain": "global",
                            "reason": "authError",
                        }
                    ],
                }
            },
        )

    def _init(self, call: Call) -> Answer:
        upload_id = self.new_id("xa298sd_f")
        self.sessions[upload_id] = {
            "token": _bearer(call),
            "resource": _json(call),
            "total": int(call.headers.get("x-upload-content-length") or 0),
            "data": b"",
            "video": None,
        }
        location = (
            f"{self.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
            "&part=snippet,status"
        )
        return Answer(200, headers={"Location": location})

    def _chunk(self, call: Call) -> Answer:
        session = self.sessions.get(call.query.get("upload_id", ""))
        if session is None:
            return Answer(404)
        first, _, total = _content_range(call.headers["content-range"])
        if session["video"] is not None:
            return Answer(200, session["video"])
        if first != len(session["data"]):
            return self._incomplete(session)
        body = call.body
        if self.keep_at_most is not None and first + len(body) < total:
            body = body[: self.keep_at_most]
        session["data"] += body
        if len(session["data"]) < total:
            return self._incomplete(session)
        resource = session["resource"]
        post = self.create_post(
            title=resource.get("snippet", {}).get("title"),
            published_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            token=session["token"],
        )
        session["video"] = {
            "kind": "youtube#video",
            "id": post["id"],
            "snippet": resource.get("snippet", {}),
            "status": {**resource.get("status", {}), "uploadStatus": "uploaded"},
        }
        return Answer(201, session["video"])

    def _probe(self, call: Call) -> Answer:
        session = self.sessions.get(call.query.get("upload_id", ""))
        if session is None:
            return Answer(404)
        if session["video"] is not None:
            return Answer(201, session["video"])
        return self._incomplete(session)

    def create_post(self, **facts: Any) -> dict[str, Any]:
        """A video with an id shaped like YouTube's (11 of [A-Za-z0-9_-])."""
        digest = hashlib.sha256(f"{self.url}/{next(self._ids)}".encode()).digest()
        post = {"id": base64.urlsafe_b64encode(digest).decode()[:11], **facts}
        self.posts.append(post)
        return post

    def _channels(self, call: Call) -> Answer:
        uploads = {"relatedPlaylists": {"likes": "", "uploads": "UUfake_channel_uploads"}}
        return Answer(
            200,
            {
                "kind": "youtube#channelListResponse",
                "items": [{"kind": "youtube#channel", "id": "UCfake", "contentDetails": uploads}],
            },
        )

    def _recent(self, call: Call) -> Answer:
        """playlistItems of the uploads playlist: the channel's videos, newest first."""
        limit = int(call.query.get("maxResults") or 5)
        items = [
            {
                "kind": "youtube#playlistItem",
                "snippet": {
                    "publishedAt": p["published_at"],
                    "title": p.get("title") or "",
                    "resourceId": {"kind": "youtube#video", "videoId": p["id"]},
                },
            }
            for p in reversed(self.posts)
            if p.get("token") == _bearer(call)
        ][:limit]
        return Answer(200, {"kind": "youtube#playlistItemListResponse", "items": items})

    @staticmethod
    def _incomplete(session: dict[str, Any]) -> Answer:
        held = len(session["data"])
        return Answer(308, headers={"Range": f"bytes=0-{held - 1}"} if held else {})


# --- Wiring ------------------------------------------------------------------------------------
def point_settings_at(settings: Any, fake: FakePlatform) -> None:
    """Allow-list the fake's host, fast retries, a short read timeout (lost answers)."""
    from platforms import http

    settings.INSTAGRAM_PUBLISH_BASE_URL = fake.url
    settings.PROVIDER_RETRY_BACKOFF_S = 0.0
    settings.PROVIDER_RETRIES = 2
    settings.PROVIDER_READ_TIMEOUT_S = 1.0
    http._sessions.clear()
