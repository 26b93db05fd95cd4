"""Errors the relay raises to its callers."""

from __future__ import annotations


class StartupError(Exception):
    """The relay cannot start (bad certificate, port in use): printed as one line."""
