"""The OpenAI client, built from explicit configuration."""

from collections.abc import Iterator
from contextlib import contextmanager

import openai

from .config import AIConfig
from .errors import AINotConfigured

OFFICIAL_BASE_URL = "https://api.openai.com/v1"


def build_client(config: AIConfig) -> openai.OpenAI:
    """An `openai.OpenAI` client for `config`, with no retries of its own: the job retries
    with backoff, so a 429 sends the post back to pending instead of blocking a worker.

    The client is thread-safe: one is shared by the workers of a batch."""
    if not config.configured:
        raise AINotConfigured(config.not_configured_reason)
    return openai.OpenAI(
        api_key=config.api_key,
        base_url=config.base_url or OFFICIAL_BASE_URL,
        timeout=config.timeout_s,
        max_retries=0,
    )


@contextmanager
def client_for(config: AIConfig, client: openai.OpenAI | None = None) -> Iterator[openai.OpenAI]:
    """`client` when the caller shares one (a batch), else a client built for this call and
    closed after it, so a single call never leaks its connection pool."""
    if client is not None:
        yield client
        return
    with build_client(config) as own_client:
        yield own_client
