"""A small S3-compatible server on 127.0.0.1 for the S3 storage tests: path-style URLs
(/bucket/key), PUT / GET (with Range) / HEAD / DELETE of objects, header-signed requests (boto3)
and presigned URLs, which it refuses once expired (X-Amz-Date + X-Amz-Expires) like S3 does.
It does not check signatures: it checks that a request carries one."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

BUCKET = "creatorops-media"


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    modified: float = field(default_factory=lambda: datetime.now(UTC).timestamp())

    @property
    def etag(self) -> str:
        return f'"{hashlib.md5(self.data, usedforsecurity=False).hexdigest()}"'


def _xml_error(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    ).encode()


def _aws_chunked(body: bytes) -> bytes:
    """The payload of an `aws-chunked` body (boto3 sends checksums as trailers this way)."""
    out, rest = bytearray(), body
    while rest:
        header, _, rest = rest.partition(b"\r\n")
        size = int(header.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


class FakeS3:
    def __init__(self, bucket: str = BUCKET) -> None:
        self.bucket = bucket
        self.objects: dict[str, StoredObject] = {}
        self.requests: list[tuple[str, str, bool]] = []  # method, key, presigned
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                fake._serve(self)

            do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> FakeS3:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def names(self) -> list[str]:
        with self.lock:
            return sorted(self.objects)

    # --- HTTP -------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        bucket, _, key = unquote(parts.path).lstrip("/").partition("/")
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        presigned = "X-Amz-Signature" in query or "Signature" in query  # SigV4 or SigV2
        self.requests.append((handler.command, key, presigned))
        if not (presigned or handler.headers.get("Authorization", "").startswith("AWS4-")):
            return self._send(handler, 403, _xml_error("AccessDenied", "No signature."))
        if presigned and self._expired(query):
            return self._send(handler, 403, _xml_error("AccessDenied", "Request has expired"))
        if bucket != self.bucket:
            return self._send(handler, 404, _xml_error("NoSuchBucket", "No such bucket."))
        if not key or "uploads" in query or "uploadId" in query:
            return self._send(handler, 501, _xml_error("NotImplemented", "Not in this fake."))
        method = handler.command
        if method == "PUT":
            if "aws-chunked" in (handler.headers.get("Content-Encoding") or ""):
                body = _aws_chunked(body)
            stored = StoredObject(
                body, handler.headers.get("Content-Type") or "binary/octet-stream"
            )
            with self.lock:
                self.objects[key] = stored
            return self._send(handler, 200, b"", {"ETag": stored.etag})
        with self.lock:
            stored = self.objects.get(key)
        if method == "DELETE":
            with self.lock:
                self.objects.pop(key, None)
            return self._send(handler, 204, b"")
        if stored is None:
            error = b"" if method == "HEAD" else _xml_error("NoSuchKey", "No such key.")
            return self._send(handler, 404, error)
        headers = {
            "ETag": stored.etag,
            "Last-Modified": formatdate(stored.modified, usegmt=True),
            "Content-Type": stored.content_type,
            "Accept-Ranges": "bytes",
        }
        data, code = stored.data, 200
        ranged = handler.headers.get("Range")
        if ranged and ranged.startswith("bytes="):
            first, _, last = ranged[6:].partition("-")
            start = int(first or 0)
            end = min(int(last) if last else len(data) - 1, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            data, code = data[start : end + 1], 206
        if method == "HEAD":
            headers["Content-Length"] = str(len(data))
            return self._send(handler, code, b"", headers, head=True)
        return self._send(handler, code, data, headers)

    def _expired(self, query: dict[str, str]) -> bool:
        if "Signature" in query:  # SigV2: Expires is the moment, in epoch seconds
            return datetime.now(UTC).timestamp() > int(query.get("Expires") or 0)
        try:
            signed = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            seconds = int(query["X-Amz-Expires"])
        except (KeyError, ValueError):
            return True
        return datetime.now(UTC) > signed + timedelta(seconds=seconds)

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        code: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        head: bool = False,
    ) -> None:
        handler.send_response(code)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if not head:
            handler.send_header("Content-Length", str(len(body)))
            if body.startswith(b"<?xml"):
                handler.send_header("Content-Type", "application/xml")
        handler.end_headers()
        if body and not head:
            handler.wfile.write(body)
