"""Shared shape of "add many things by URL" answers: one result per pasted URL, in order."""

from dataclasses import dataclass
from typing import Any

BATCH_SIZE = 1000

CREATED = "created"
EXISTS = "exists"
INVALID = "invalid"


@dataclass
class AddResult:
    """What happened to one pasted URL: created, already there (exists), or invalid."""

    url: str
    status: str = INVALID
    obj: Any = None
    error: str = ""
