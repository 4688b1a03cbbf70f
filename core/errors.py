"""Domain errors: raised by services, turned into a JSON error by the API and a message by the admin."""


class DomainError(Exception):
    """A rule of the business was broken; the message tells the user what to do."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    """The request clashes with what is already there (the API answers 409)."""

    code = "conflict"


class UnavailableError(DomainError):
    """A service the request needs (the AI server) is not configured or not answering now;
    the API answers 503, the admin shows the message and the rest of the page works."""

    code = "unavailable"
