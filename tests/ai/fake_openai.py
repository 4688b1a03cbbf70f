"""A fake OpenAI-compatible server on 127.0.0.1 for tests: POST /v1/chat/completions.

By default it answers a valid classification built from the request itself (the taxonomy in
the system prompt, the enums of the JSON schema), so any number of posts can be classified.
Tests script misbehaviour (`script(...)`: invalid answers, 429, 500, slow replies) or replace
`route`. It records every request and the most requests it ever had in flight at once.

Usage numbers are the fake's own estimate (about 4 characters per token, like OpenAI's rule of
thumb), not a real tokenizer.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TAXONOMY_LINE = re.compile(r"^- (?P<category>[^:]+): (?P<subs>.+)$")


def tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class ChatRequest:
    body: dict
    headers: dict[str, str]

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages", [])

    @property
    def system(self) -> str:
        return self.messages[0]["content"] if self.messages else ""

    @property
    def user(self) -> str:
        content = self.messages[1]["content"] if len(self.messages) > 1 else ""
        if isinstance(content, list):
            return "\n".join(part.get("text", "") for part in content)
        return content

    @property
    def schema(self) -> dict:
        return self.body["response_format"]["json_schema"]["schema"]

    @property
    def is_video(self) -> bool:
        return self.schema["properties"]["reel_style"].get("type") == "string"

    @property
    def taxonomy(self) -> dict[str, list[str]]:
        """The taxonomy as the system prompt tells it (category: sub-categories)."""
        found = {}
        for line in self.system.splitlines():
            match = TAXONOMY_LINE.match(line)
            if match and match["category"] in self.schema["properties"]["category"]["enum"]:
                found[match["category"]] = match["subs"].split(", ")
        return found

    def text_chars(self) -> int:
        total = 0
        for message in self.messages:
            content = message["content"]
            if isinstance(content, list):
                total += sum(len(part.get("text", "")) for part in content)
            else:
                total += len(content or "")
        return total


def valid_answer(request: ChatRequest) -> dict:
    """A correct answer for the request: a category picked by the post's text, its first
    sub-categories, a reel style only for a video."""
    taxonomy = request.taxonomy
    names = sorted(taxonomy)
    pick = zlib.crc32(request.user.encode())
    category = names[pick % len(names)]
    subs = taxonomy[category][: 1 + pick % 2]
    styles = request.schema["properties"]["reel_style"].get("enum", [])
    caption = next(
        (
            line[len("Caption: ") :]
            for line in request.user.splitlines()
            if line.startswith("Caption: ")
        ),
        "",
    )
    return {
        "idea_concept": f"A post about {caption[:60] or 'nothing said'}.",
        "category": category,
        "subcategories": subs,
        "reel_style": styles[pick % len(styles)] if request.is_video else None,
    }


def completion(request: ChatRequest, content: str | dict, *, model: str = "") -> dict:
    """A chat.completion body answering `content`, with the fake's usage numbers."""
    if isinstance(content, dict):
        content = json.dumps(content)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model or request.body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": None},
            }
        ],
        "usage": {
            "prompt_tokens": math.ceil(request.text_chars() / 4),
            "completion_tokens": tokens(content),
            "total_tokens": math.ceil(request.text_chars() / 4) + tokens(content),
        },
    }


def error(status: int, message: str, *, code: str | None = None, **headers: str) -> Reply:
    """An OpenAI-style error reply; headers given as keyword arguments (Retry_After=…)."""
    return Reply(
        status=status,
        body={"error": {"message": message, "type": "fake_error", "code": code}},
        headers={name.replace("_", "-"): value for name, value in headers.items()},
    )


# --- Function calling ("ask the workspace") ---------------------------------------------------


@dataclass
class ToolCalls:
    """A scripted assistant message calling tools: `calls` are (name, arguments) pairs, the
    arguments a dict (sent as JSON) or a raw string (to script bad JSON). Ids are "call_<n>",
    numbered over the whole conversation."""

    calls: list[tuple[str, Any]]
    content: str = ""


def tool_calls_completion(request: ChatRequest, scripted: ToolCalls) -> dict:
    """A chat.completion body whose message calls the scripted tools."""
    done = sum(len(m.get("tool_calls") or []) for m in request.messages)
    calls = [
        {
            "id": f"call_{done + index + 1}",
            "type": "function",
            "function": {
                "name": name,
                "arguments": args if isinstance(args, str) else json.dumps(args),
            },
        }
        for index, (name, args) in enumerate(scripted.calls)
    ]
    body = completion(request, scripted.content)
    body["choices"][0]["finish_reason"] = "tool_calls"
    body["choices"][0]["message"]["tool_calls"] = calls
    return body


def tool_results(request: ChatRequest) -> dict[str, dict]:
    """The tool results the request carries: call id -> the tool's JSON reply."""
    return {
        m["tool_call_id"]: json.loads(m["content"])
        for m in request.messages
        if m.get("role") == "tool"
    }


def cite_every_row(answer: str = "Here is what the workspace shows.") -> Callable:
    """A final answer (for `script`) citing every row the tool calls returned."""

    def reply(request: ChatRequest) -> dict:
        cited = [
            {"tool_call_id": call_id, "ref": row["ref"]}
            for call_id, result in tool_results(request).items()
            for row in result.get("rows", [])
        ]
        return {"answerable": True, "answer": answer, "cited": cited}

    return reply


class FakeOpenAI:
    """The server. `script(*replies)` queues replies used first, in order; each is a Reply, an
    answer dict/str (a 200 with that content) or a callable of the request returning either.
    Then `route(request)` answers (a valid classification by default)."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.requests: list[ChatRequest] = []
        self.answers: list[str] = []  # contents answered with 200, in order
        self.scripted: deque = deque()
        self.route: Callable[[ChatRequest], Any] = valid_answer
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    self._send(Reply(404, {"error": {"message": "no route", "code": None}}))
                    return
                request = ChatRequest(
                    body=body, headers={k.lower(): v for k, v in self.headers.items()}
                )
                with fake._lock:
                    fake.requests.append(request)
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                    scripted = fake.scripted.popleft() if fake.scripted else None
                try:
                    reply = fake._reply(request, scripted)
                    time.sleep(fake.latency + reply.delay)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                data = json.dumps(reply.body).encode() if reply.body is not None else b""
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _reply(self, request: ChatRequest, scripted: Any) -> Reply:
        answer = scripted if scripted is not None else self.route
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, Reply):
            return answer
        if isinstance(answer, ToolCalls):
            return Reply(200, tool_calls_completion(request, answer))
        body = completion(request, answer)
        with self._lock:
            self.answers.append(body["choices"][0]["message"]["content"])
        return Reply(200, body)

    def script(self, *replies: Any) -> None:
        self.scripted.extend(replies)

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
