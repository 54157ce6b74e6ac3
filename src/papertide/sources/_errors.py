"""What a live source can go wrong with. A `SourceError` ends the run of that source: the
pages committed before it stay, the page it happened on leaves no trace, and the run's
record carries the message."""

from __future__ import annotations


class SourceError(Exception):
    """A live source failed or answered something unusable."""


class FetchError(SourceError):
    """The request itself failed: connection errors or error statuses that outlasted the
    retries, a 4xx answer, a response too large."""

    def __init__(self, message: str, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class MalformedResponse(SourceError):
    """The response arrived but is not what the source speaks: broken or hostile XML,
    broken JSON, an HTML error page."""
