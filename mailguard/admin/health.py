"""Liveness, readiness and /metrics: no token, for probes and Prometheus.

/readyz names what is wrong (a store host, never its password; never an error text):
a balancer needs only the status, the administrator reading it needs the reason. It
answers 503 from the moment draining starts, so balancers send no new sessions to a
relay that is about to refuse them. /metrics runs the same checks to set `mailguard_ready`
and `mailguard_upstream_up`, so alerts fire even when nobody polls /readyz.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from mailguard.admin.deps import runtime_of
from mailguard.admin.schemas import Health, Readiness
from mailguard.metrics import READY, UPSTREAM_UP, exposition, refresh_quarantine_gauges
from mailguard.runtime import Runtime

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0  # seconds per check: a probe must answer well inside its own timeout
OK, FAILED, ABSENT, DRAINING = "ok", "failed", "not configured", "draining"

router = APIRouter(tags=["health"])


def store_location(runtime: Runtime) -> str:
    """Where the store is: host:port, or the SQLite file; never user or password."""
    from sqlalchemy.engine import make_url

    engine = runtime.store.engine if runtime.store is not None else None
    try:
        url = engine.url if engine is not None else make_url(runtime.settings.effective_database_url)
    except Exception:  # a malformed URL stops the start; say nothing more here
        return "the configured store"
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return f"{url.host}:{url.port or 5432}"


async def _store_check(runtime: Runtime) -> str:
    store = runtime.store
    if store is None:
        if not runtime.store_wanted:
            return ABSENT
        reachable = False
    else:
        try:
            reachable = await asyncio.wait_for(store.ping(), CHECK_TIMEOUT)
        except Exception as exc:  # any failure means not ready; its text stays out of the answer
            log.warning("readiness: store check failed: %s", type(exc).__name__)
            reachable = False
    if reachable:
        return OK
    where = store_location(runtime)
    log.warning("readiness: quarantine store at %s configured but unreachable", where)
    return f"configured but unreachable: {where}"


async def _upstream_check(runtime: Runtime) -> str:
    settings = runtime.settings
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(settings.upstream_host, settings.upstream_port), CHECK_TIMEOUT
        )
    except (OSError, TimeoutError) as exc:
        log.warning(
            "readiness: upstream %s:%d unreachable: %s",
            settings.upstream_host,
            settings.upstream_port,
            type(exc).__name__,
        )
        return FAILED
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return OK


def _register_check(runtime: Runtime) -> str | None:
    """Information, not a condition: a missing or empty MAILGUARD_REGISTER already stops the
    start unless MAILGUARD_REGISTER_ALLOW_EMPTY is on. None when no register is in use."""
    register = runtime.scanner.register if runtime.scanner is not None else None
    if register is None:
        return None
    rows = len(register)
    if rows == 0:
        return "empty (MAILGUARD_REGISTER_ALLOW_EMPTY): protected addresses are not checked"
    return f"{OK}: {rows} rows"


async def readiness(runtime: Runtime) -> Readiness:
    """The checks, and the `mailguard_ready` / `mailguard_upstream_up` gauges set from them."""
    store, upstream = await asyncio.gather(_store_check(runtime), _upstream_check(runtime))
    checks = {"store": store, "upstream": upstream}
    if (register := _register_check(runtime)) is not None:
        checks["register"] = register
    if runtime.draining:
        checks["relay"] = DRAINING
    ready = store == OK and upstream == OK and not runtime.draining
    UPSTREAM_UP.set(1 if upstream == OK else 0)
    READY.set(1 if ready else 0)
    return Readiness(status="ok" if ready else "not ready", checks=checks)


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness: the store and the upstream are reachable, and the relay is not draining",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": Readiness, "description": "not ready"}},
)
async def readyz(request: Request) -> Readiness | JSONResponse:
    body = await readiness(runtime_of(request))
    if body.status == "ok":
        return body
    return JSONResponse(body.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


@router.get(
    "/metrics",
    summary="Prometheus metrics (text format)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "metrics"}},
)
async def metrics(request: Request) -> Response:
    runtime = runtime_of(request)
    await readiness(runtime)
    if runtime.store is not None:
        try:
            await asyncio.wait_for(refresh_quarantine_gauges(runtime.store), CHECK_TIMEOUT)
        except Exception as exc:  # stale gauges beat no metrics at all
            log.warning("metrics: quarantine gauges not refreshed: %s", type(exc).__name__)
    body, content_type = exposition()
    return Response(body, media_type=content_type)
