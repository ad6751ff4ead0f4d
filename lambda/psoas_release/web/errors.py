"""The one way a check refuses a request: `VerificationError`, answered with HTTP 400."""

from __future__ import annotations

__all__ = ["VerificationError"]


class VerificationError(Exception):
    """A request failed one of Amazon's checks; the endpoint must answer HTTP 400.

    `reason` is short and meant for the server log, not for the client.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
