"""A fake OpenAI-compatible server on 127.0.0.1 for tests: POST /v1/chat/completions.

By default it answers a valid classification built from the request itself (the taxonomy in
the system prompt, the enums of the JSON schema), so any number of posts can be classified;
a request whose JSON schema is named after an assistance feature (captions, quality_check,
thread_summary, brief_to_tasks) gets a valid answer of that feature built from its facts.
The feature answers take keyword arguments to script a bad one (`caption_answer(r, length=…)`,
`summary_answer(r, extra_ids=…)`, `quality_answer(r, rule=…)`).
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


def facts(request: ChatRequest) -> dict:
    """The assistance features' user message: the facts as JSON."""
    try:
        data = json.loads(request.user)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


CAPTION_LIMIT = re.compile(r"is at most (?P<chars>\d+) characters(, with at most (?P<tags>\d+))?")
VARIANTS = re.compile(r"exactly (?P<n>\d+) distinct")


def caption_answer(request: ChatRequest, *, length: int = 0, tags: int = 3) -> dict:
    """Captions within the limits the system prompt states (or `length` characters long and
    `tags` hashtags, to script one over a limit)."""
    n = int(VARIANTS.search(request.system)["n"]) if VARIANTS.search(request.system) else 1
    limit = CAPTION_LIMIT.search(request.system)
    if not length and limit:
        tags = min(tags, int(limit["tags"] or tags))
        room = int(limit["chars"]) - (sum(len(f"#tag{n}{i} ") for i in range(tags)) + 2)
    brief = str(facts(request).get("brief", "our news"))[:80]
    variants = []
    for number in range(1, n + 1):
        hook = f"Hook {number}: {brief[:40]}"
        text = f"{hook}\nMore about {brief}."
        if length:
            text = (text + " " + "word " * length)[:length]
        elif limit:
            text = text[:room].strip()
        variants.append(
            {"caption": text, "hashtags": [f"tag{number}{i}" for i in range(tags)], "hook": hook}
        )
    return {"variants": variants}


def quality_answer(request: ChatRequest, *, rule: str | None = None) -> dict:
    """One warning citing the first brand guideline given (or `rule`); none without one."""
    given = facts(request).get("brand_guidelines") or []
    cited = rule if rule is not None else (given[0] if given else None)
    if cited is None:
        return {"flags": []}
    return {
        "flags": [
            {
                "rule": cited,
                "severity": "warning",
                "problem": "The caption may not follow this guideline.",
                "suggestion": "Reword it.",
            }
        ]
    }


def summary_answer(request: ChatRequest, *, extra_ids: tuple[int, ...] = ()) -> dict:
    """A decision citing the first comment, an open request citing the last (and `extra_ids`,
    to script hallucinated ids)."""
    ids = [c["id"] for c in facts(request).get("comments", [])]
    if not ids:
        return {"decisions": [], "open_requests": []}
    return {
        "decisions": [{"text": "Go with the first draft.", "comment_ids": [ids[0], *extra_ids]}],
        "open_requests": [{"text": "Shorten the intro.", "comment_ids": [ids[-1]]}],
    }


def brief_answer(request: ChatRequest, *, kind: str | None = None) -> dict:
    """One deliverable of two tasks for the first creator, platform and kind of the schema."""
    item = request.schema["properties"]["deliverables"]["items"]["properties"]
    return {
        "deliverables": [
            {
                "creator_id": item["creator_id"]["enum"][0],
                "platform": item["platform"]["enum"][0],
                "kind": kind or item["kind"]["enum"][0],
                "task_titles": ["Teaser reel", "Launch day reel"],
            }
        ]
    }


FEATURES: dict[str, Callable[[ChatRequest], dict]] = {
    "captions": caption_answer,
    "quality_check": quality_answer,
    "thread_summary": summary_answer,
    "brief_to_tasks": brief_answer,
}


def default_answer(request: ChatRequest) -> dict:
    """A valid answer of the feature the request's schema names (classification otherwise)."""
    name = (request.body.get("response_format") or {}).get("json_schema", {}).get("name")
    return FEATURES.get(name, valid_answer)(request)


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
    Then `route(request)` answers (by default a valid answer of the feature named by the
    request's schema: a classification, captions, a quality check, a thread summary, a brief's
    proposal)."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.requests: list[ChatRequest] = []
        self.answers: list[str] = []  # contents answered with 200, in order
        self.scripted: deque = deque()
        self.route: Callable[[ChatRequest], Any] = default_answer
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
