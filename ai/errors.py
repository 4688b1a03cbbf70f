"""Typed errors of the AI library; the job decides what each one does to a post."""


class AIError(Exception):
    """Base of the AI library's errors."""


class AINotConfigured(AIError):
    """No API key, or the server refused the key or the model: nothing can be classified.

    Posts must stay as they are (never a guessed label)."""


class AITransientError(AIError):
    """A timeout, a rate limit (429), a server error (5xx) or a network error: try later.

    `retry_after` is the server's `Retry-After` in seconds, when it gave one; `status` the
    HTTP status (None for a timeout or a network error)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status

    @property
    def rate_limited(self) -> bool:
        return self.status == 429


class AIRequestError(AIError):
    """The server rejected this request (a 4xx other than auth and rate limits)."""


class AIInvalidAnswer(AIError):
    """The model's answer broke the schema or the taxonomy, twice (the retry included).

    Carries the token usage spent on the failed answers."""

    def __init__(self, message: str, *, prompt_tokens: int = 0, completion_tokens: int = 0):
        super().__init__(message)
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
