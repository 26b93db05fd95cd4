"""Request-scoped access to the runtime and its quarantine store, shared by API and pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request, status

from mailguard.runtime import Runtime

if TYPE_CHECKING:
    from mailguard.quarantine import QuarantineStore

STORE_UNAVAILABLE = HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "quarantine store not available")


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def store_of(request: Request) -> QuarantineStore:
    store = runtime_of(request).store
    if store is None:
        raise STORE_UNAVAILABLE
    return store  # type: ignore[no-any-return]


Store = Annotated["QuarantineStore", Depends(store_of)]


def actor(name: str) -> str:
    """The audit actor for a token name. API and page share the prefix on purpose: the
    two-person check compares actors, and one person must not count twice through two doors."""
    return f"api:{name}"
