"""A fake YouTube Data API v3 on 127.0.0.1 for processes other than the test's: `videos`,
`channels` and `playlistItems` shaped like the recorded samples, answered after a latency drawn
from a range (a real API takes 0.3-0.8 s), with every call's arrival time and client port kept.

`hold_next_videos()` makes the next `videos.list` call wait until `release()`: the test then
knows one worker is mid-batch, and which one (the client port's owner, see `pid_of_client`).
"""

from __future__ import annotations

import copy
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.platforms.conftest import load_sample

VIDEO = load_sample("youtube_api_videos_list_snippet_contentDetails_status_statistics.json")[
    "response"
]["items"][0]
CHANNEL = load_sample("youtube_api_channels_list_contentDetails_uploads_multi.json")["response"][
    "items"
][0]
CHANNELS = 4  # the test's channels: handles chan0..chan3, ids channel_id(n) (any N answers)
DETECTED_PER_CHANNEL = 3  # each channel's uploads list: videos nobody added by URL


CHANNEL_PREFIX, UPLOADS_PREFIX = "UCscaleout", "UUscaleout"


def channel_id(n: int) -> str:
    return f"{CHANNEL_PREFIX}{n:014d}"  # 24 characters, like a real channel id


def added_video_id(n: int) -> str:
    return f"add{n:08d}"  # 11 characters, like a real video id


def detected_video_id(channel: int, k: int) -> str:
    return f"det{channel:05d}{k:03d}"


@dataclass
class Call:
    resource: str
    at: float  # time.time() at arrival
    client_port: int


class FakeYouTubeData:
    def __init__(self, *, latency: tuple[float, float] = (0.0, 0.0)) -> None:
        self.latency = latency
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self._hold_armed = False
        self.held = threading.Event()  # a held call arrived
        self.held_port: int | None = None
        self._release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                resource = parts.path.rstrip("/").rsplit("/", 1)[-1]
                with fake.lock:
                    fake.calls.append(Call(resource, time.time(), self.client_address[1]))
                    hold = fake._hold_armed and resource == "videos"
                    if hold:
                        fake._hold_armed = False
                        fake.held_port = self.client_address[1]
                if hold:
                    fake.held.set()
                    fake._release.wait(timeout=120)
                time.sleep(random.uniform(*fake.latency))
                status, body = fake.answer(resource, query)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the worker that asked was killed

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/youtube/v3"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> FakeYouTubeData:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    # --- the held call ---
    def hold_next_videos(self) -> None:
        self.held.clear()
        self._release.clear()
        self._hold_armed = True

    def release(self) -> None:
        self._release.set()

    # --- what was asked ---
    def count(self) -> Counter:
        with self.lock:
            return Counter(call.resource for call in self.calls)

    def times(self) -> list[float]:
        with self.lock:
            return sorted(call.at for call in self.calls)

    # --- the API ---
    def answer(self, resource: str, query: dict[str, str]) -> tuple[int, dict]:
        if resource == "videos":
            return 200, {
                "kind": "youtube#videoListResponse",
                "items": [video(vid) for vid in query.get("id", "").split(",") if vid],
            }
        if resource == "channels":
            number = _channel_number(query)
            items = [] if number is None else [channel(number)]
            return 200, {"kind": "youtube#channelListResponse", "items": items}
        if resource == "playlistItems":
            number = int(query.get("playlistId", "")[len(UPLOADS_PREFIX) :] or 0)
            return 200, {
                "kind": "youtube#playlistItemListResponse",
                "items": [
                    {"contentDetails": {"videoId": detected_video_id(number, k)}}
                    for k in range(DETECTED_PER_CHANNEL)
                ],
            }
        return 404, {"error": {"code": 404, "message": "no such resource", "errors": []}}


def _channel_number(query: dict[str, str]) -> int | None:
    """The channel asked for: by handle (@chan<N>) or by id (channel_id(N))."""
    handle = query.get("forHandle", "")
    if handle.startswith("@chan") and handle[5:].isdigit():
        return int(handle[5:])
    wanted = query.get("id", "")
    if wanted.startswith(CHANNEL_PREFIX) and wanted[len(CHANNEL_PREFIX) :].isdigit():
        return int(wanted[len(CHANNEL_PREFIX) :])
    return None


def video(vid: str) -> dict:
    """A `videos.list` item: the sample's, with this id, a caption naming it (each post's AI
    request is then told apart) and views from its number."""
    item = copy.deepcopy(VIDEO)
    item["id"] = vid
    item["snippet"]["title"] = f"Scale-out video {vid}"
    if vid.startswith("det"):
        item["snippet"]["channelId"] = channel_id(int(vid[3:8]))
    digits = "".join(c for c in vid if c.isdigit())
    item["statistics"]["viewCount"] = str(1000 + int(digits or 0))
    return item


def channel(number: int) -> dict:
    item = copy.deepcopy(CHANNEL)
    item["id"] = channel_id(number)
    item["snippet"]["customUrl"] = f"@chan{number}"
    item["snippet"]["title"] = f"Channel {number}"
    item["contentDetails"] = {"relatedPlaylists": {"uploads": f"{UPLOADS_PREFIX}{number:014d}"}}
    return item


def pid_of_client(port: int) -> int | None:
    """The process holding the TCP socket whose local port is `port` (127.0.0.1 client)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if str(fd.readlink()) in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None
