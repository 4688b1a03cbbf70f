"""Bulk scheduling from a CSV file (specs/publishing.md §3).

Columns (a header row, any order, case-insensitive): `caption`, `title`, `hashtags` (separated by
spaces, commas or `|`), `media` (asset ids or SHA-256 checksums separated by `|`, in order),
`accounts` (connection ids or `platform:username`, separated by `|`), `time` (a local wall time,
ISO: 2030-04-02T09:00) and `timezone` (IANA; empty: TIME_ZONE).

Every row is answered: the post it created, or its errors with its line number. Each row is
scheduled in its own savepoint through `scheduled_post_compose` (the API's rules), so one bad
row never blocks the others. A row's key is the SHA-256 of its content, kept in `ImportedRow`
(unique): importing the same file twice creates nothing twice (the row answers `exists`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.errors import DomainError

from ..models import ImportedRow, MediaAsset, SocialConnection
from ..queries import media_visible_to
from .compose import scheduled_post_compose

COLUMNS = ("caption", "title", "hashtags", "media", "accounts", "time", "timezone")
REQUIRED = ("accounts", "time")
_CHECKSUM = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class RowResult:
    line: int
    status: str  # created | exists | error
    post: int | None = None
    message: str = ""
    errors: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.count("created"),
            "existing": self.count("exists"),
            "failed": self.count("error"),
            "rows": [row.__dict__ for row in self.rows],
        }


class RowError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _read_text(file: IO) -> str:
    limit = settings.PUBLISH_IMPORT_MAX_BYTES
    data = file.read(limit + 1)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > limit:
        raise DomainError(
            f"The file is larger than {limit} bytes: split it.", code="file_too_large"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError("The file is not UTF-8 text (save it as CSV UTF-8).") from error


def _split(value: str, separators: str = "|") -> list[str]:
    return [part.strip() for part in re.split(f"[{re.escape(separators)}]", value) if part.strip()]


def row_key(row: dict[str, str]) -> str:
    """The digest of a row's content (whitespace around values ignored)."""
    content = json.dumps([row.get(name, "").strip() for name in COLUMNS], ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()


class _Resolver:
    """Media and account references of the whole file, read in a few queries."""

    def __init__(self, rows: list[dict[str, str]], user) -> None:
        media_refs = {ref for row in rows for ref in _split(row.get("media", ""))}
        ids = [int(r) for r in media_refs if r.isascii() and r.isdigit()]
        sums = [r.lower() for r in media_refs if _CHECKSUM.match(r.lower())]
        visible = media_visible_to(user, MediaAsset.objects.all())
        found = list(visible.filter(pk__in=ids)) + list(visible.filter(checksum__in=sums))
        self.media = {str(a.pk): a for a in found} | {a.checksum: a for a in found}

        account_refs = {ref for row in rows for ref in _split(row.get("accounts", ""))}
        conn_ids = [int(r) for r in account_refs if r.isascii() and r.isdigit()]
        names = {r.split(":", 1)[1].strip().lstrip("@").lower() for r in account_refs if ":" in r}
        connections = SocialConnection.objects.select_related("account").filter(
            pk__in=conn_ids
        ) | SocialConnection.objects.select_related("account").filter(account__username__in=names)
        self.connections: dict[str, SocialConnection] = {}
        # The connected one first when an account has two (Instagram and Facebook Login).
        for c in sorted(connections, key=lambda c: (c.status != "connected", c.pk)):
            self.connections.setdefault(str(c.pk), c)
            self.connections.setdefault(f"{c.platform}:{c.account.username.lower()}", c)

    def media_of(self, value: str) -> list[MediaAsset]:
        refs = _split(value)
        unknown = [r for r in refs if r.lower() not in self.media and r not in self.media]
        if unknown:
            raise RowError({"media": [f"Unknown media: {', '.join(unknown)}."]})
        return [self.media.get(r) or self.media[r.lower()] for r in refs]

    def connections_of(self, value: str) -> list[SocialConnection]:
        refs = _split(value)
        if not refs:
            raise RowError({"accounts": ["Name at least one account."]})
        found, unknown = [], []
        for ref in refs:
            key = (
                ref
                if ":" not in ref
                else ref.split(":", 1)[0].strip().lower()
                + ":"
                + (ref.split(":", 1)[1].strip().lstrip("@").lower())
            )
            (
                found.append(self.connections[key])
                if key in self.connections
                else unknown.append(ref)
            )
        if unknown:
            raise RowError(
                {
                    "accounts": [
                        f"Unknown accounts: {', '.join(unknown)} (a connection id or "
                        "platform:username)."
                    ]
                }
            )
        return found


def _local_time(value: str) -> datetime:
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text) if text.isascii() and text else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        raise RowError({"time": ["A local date and time like 2030-04-02T09:00, no offset."]})
    return moment.replace(second=0, microsecond=0)


def _schedule_row(row: dict[str, str], resolver: _Resolver, user, key: str) -> int:
    media = resolver.media_of(row.get("media", ""))
    connections = resolver.connections_of(row.get("accounts", ""))
    local_time = _local_time(row.get("time", ""))
    with transaction.atomic():
        post = scheduled_post_compose(
            caption=row.get("caption", "").strip(),
            title=row.get("title", "").strip(),
            hashtags=[t.lstrip("#") for t in _split(row.get("hashtags", ""), " ,|") if t != "#"],
            media=media,
            connections=connections,
            local_time=local_time,
            timezone=row.get("timezone", "").strip() or settings.TIME_ZONE,
            created_by=user,
        )
        ImportedRow.objects.create(key=key, post=post)
    return post.pk


def scheduled_posts_import_csv(*, file: IO, user) -> ImportReport:
    """Schedule each row of the CSV `file` for `user`; answer every row (see the module)."""
    reader = csv.DictReader(io.StringIO(_read_text(file), newline=""))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise DomainError(
            f"The header row lacks the columns: {', '.join(missing)} (columns: "
            f"{', '.join(COLUMNS)}).",
            code="missing_columns",
        )
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        values = {k: (v if isinstance(v, str) else "") for k, v in row.items() if k in COLUMNS}
        if any(v.strip() for v in values.values()):
            rows.append((reader.line_num, values))
        if len(rows) > settings.PUBLISH_IMPORT_MAX_ROWS:
            raise DomainError(
                f"At most {settings.PUBLISH_IMPORT_MAX_ROWS} rows at a time: split the file.",
                code="too_many_rows",
            )
    resolver = _Resolver([row for _, row in rows], user)
    keys = [row_key(row) for _, row in rows]
    done = dict(ImportedRow.objects.filter(key__in=keys).values_list("key", "post_id"))
    report = ImportReport()
    for (line, row), key in zip(rows, keys, strict=True):
        if key in done:
            report.rows.append(
                RowResult(line, "exists", done[key], f"Imported before as post {done[key]}.")
            )
            continue
        try:
            post_id = _schedule_row(row, resolver, user, key)
        except RowError as error:
            report.rows.append(RowResult(line, "error", message=str(error), errors=error.errors))
        except DomainError as error:
            report.rows.append(RowResult(line, "error", message=error.message, errors=error.fields))
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {}
            report.rows.append(
                RowResult(line, "error", message=" ".join(error.messages), errors=errors)
            )
        except IntegrityError:
            # The same row imported at the same moment by another request.
            post_id = ImportedRow.objects.filter(key=key).values_list("post_id", flat=True).first()
            report.rows.append(RowResult(line, "exists", post_id, "Imported at the same moment."))
        else:
            done[key] = post_id
            report.rows.append(RowResult(line, "created", post_id, f"Scheduled as post {post_id}."))
    return report
