"""What the three publishers share: one call path through `platforms.http` that marks commit
calls (never repeated once they may have left) and turns every failure into the error table."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, ClassVar

import requests

from platforms import http as shared_http
from platforms.providers.base import ProviderError

from .errors import PublishError, classify_transport

#: Called with a bucket name ("tiktok.init"…) before each call; raises `Throttled` to refuse
#: the call. The publishing app passes one built on `platforms.ratelimit.before_call`
#: (publishing/services/limits.py). A limiter that also has `observe(bucket, headers, error)` is
#: told of every answer (its headers, or the classified error): Meta's usage headers and a
#: Retry-After pause the bucket for every worker.
Limiter = Callable[[str], None]


class PublisherClient:
    """A client for one account's token. Subclasses set `platform` and map errors."""

    platform: ClassVar[str] = ""

    def __init__(
        self,
        base_url: str,
        access_token: str,
        http: ModuleType = shared_http,
        *,
        limiter: Limiter | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token
        self.http = http
        self.limiter = limiter

    @property
    def provider(self) -> str:
        """The name the shared HTTP client keys its session by."""
        return f"publish_{self.platform}"

    def map_error(self, response: requests.Response, payload: Any) -> PublishError:
        """The error-table action for a non-2xx answer."""
        raise NotImplementedError

    def call(
        self,
        method: str,
        url: str,
        *,
        commit: bool = False,
        bucket: str | None = None,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; a `commit` call is non-idempotent for the client (so it is never
        repeated once it may have reached the platform) and a lost answer is `OutcomeUnknown`."""
        if bucket and self.limiter:
            self.limiter(bucket)
        headers = {"Authorization": f"Bearer {self.access_token}", **kwargs.pop("headers", {})}
        try:
            response = self.http.request(
                self.provider,
                method,
                url,
                headers=headers,
                idempotent=False if commit else idempotent,
                error_mapper=self.map_error,
                **kwargs,
            )
        except ProviderError as error:
            mapped = classify_transport(error, platform=self.platform, commit=commit)
            self._observe(bucket, None, mapped)
            raise mapped from error
        self._observe(bucket, response.headers, None)
        return response

    def _observe(self, bucket: str | None, headers: Any, error: PublishError | None) -> None:
        observe = getattr(self.limiter, "observe", None)
        if bucket and observe is not None:
            observe(bucket, headers, error)

    def call_json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """`call`, then the JSON object of the answer (`Final` if the body is not one)."""
        response = self.call(method, url, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise classify_transport(
                ProviderError(f"{self.platform}: the answer to {method} is not a JSON object."),
                platform=self.platform,
                commit=False,
            )
        return body
