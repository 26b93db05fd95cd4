"""What can go wrong talking to the upstream, as the relay and the outbox see it."""

from __future__ import annotations


class UpstreamError(Exception):
    """The upstream could not take the message. `kind` labels the metric; no address in it."""

    temporary = True

    def __init__(self, message: str, *, kind: str, code: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code


class UpstreamTemporaryError(UpstreamError):
    """Try again later: unreachable, timed out, dropped, or a 4xx reply."""


class UpstreamPermanentError(UpstreamError):
    """The upstream refused for good (a 5xx reply): retrying will not help."""

    temporary = False
