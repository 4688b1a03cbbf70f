"""Log formatting: one JSON object per line (LOG_FORMAT=json) for log collectors.

Fields: `time` (UTC, ISO 8601), `level`, `logger`, `message`, every `extra={...}` field the
call passed (e.g. a job run's `job`, `status`, `duration_s`), and `exc_info` when there is one.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

# The attributes every LogRecord has: anything else was passed with `extra=`.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; values JSON cannot encode are written as strings."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class PermissionDeniedOneLine(logging.Filter):
    """A refused request is logged as its one line ("Forbidden (Permission denied): /path"):
    the traceback Django attaches says nothing an operator can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.core.exceptions import PermissionDenied

        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
