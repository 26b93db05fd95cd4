"""What the store raises. The admin API maps NotFound → 404, Conflict → 409,
SameReviewer → 409 (or 403) and StoreError → 503; the relay maps StoreError → 4xx."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot be opened or cannot take a write; the relay answers 4xx."""


class StoreUnreachable(StoreError):
    """The database did not answer (down, refusing connections): worth trying again later."""


class NotFound(LookupError):
    """No quarantine item with that id."""


class Conflict(Exception):
    """The item is not in a state that allows the action (e.g. released twice)."""


class SameReviewer(Conflict):
    """Two-person release: the confirming reviewer must not be the one who asked."""


class JustificationRequired(Exception):
    """A protected-address hold is released only with a written justification."""


class NotSendersChoice(Conflict):
    """Only an exposure hold is the sender's to resolve (never a protected-address one)."""
