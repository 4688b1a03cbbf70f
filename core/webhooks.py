"""Posting a message to a chat webhook (Slack's incoming webhooks and compatible ones)."""

from urllib.parse import urlsplit

import requests


class WebhookRefused(ValueError):
    """The URL is not one we post to."""


def webhook_check(url: str, *, allowed_hosts: tuple[str, ...] | None = None) -> None:
    """Raise WebhookRefused unless `url` is http(s) with a host, and one of `allowed_hosts`
    when given (a person's own webhook URL is user input: only the chat service's hosts)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("A webhook URL is an http(s) URL, e.g. https://hooks.slack.com/….")
    if allowed_hosts is not None and parts.hostname.lower() not in allowed_hosts:
        raise WebhookRefused(
            f"Webhooks can only be sent to {', '.join(allowed_hosts) or 'no host'}; "
            f"“{parts.hostname}” is not one of them."
        )


def webhook_post(url: str, text: str, *, allowed_hosts: tuple[str, ...] | None = None) -> None:
    """POST `{"text": text}` to `url`. Only that URL's host is ever requested: redirects are
    not followed. Raises on a refused URL or an HTTP error."""
    webhook_check(url, allowed_hosts=allowed_hosts)
    response = requests.post(url, json={"text": text}, timeout=10, allow_redirects=False)
    response.raise_for_status()
