"""Liveness, readiness and /metrics: no token, for probes and Prometheus.

None of them names a host, a path or an error text: a probe only needs ok or not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from mailguard.admin.deps import runtime_of
from mailguard.admin.models import Health, Readiness
from mailguard.metrics import exposition, refresh_quarantine_gauges

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0  # seconds per check: a probe must answer well inside its own timeout
OK, FAILED, ABSENT = "ok", "failed", "not configured"

router = APIRouter(tags=["health"])


async def _store_check(request: Request) -> str:
    store = runtime_of(request).store
    if store is None:
        return ABSENT
    try:
        reachable = await asyncio.wait_for(store.ping(), CHECK_TIMEOUT)
    except Exception as exc:  # any failure means not ready; the reason goes to the log only
        log.warning("readiness: store check failed: %s", type(exc).__name__)
        return FAILED
    return OK if reachable else FAILED


async def _upstream_check(request: Request) -> str:
    settings = runtime_of(request).settings
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(settings.upstream_host, settings.upstream_port), CHECK_TIMEOUT
        )
    except (OSError, TimeoutError) as exc:
        log.warning("readiness: upstream connect failed: %s", type(exc).__name__)
        return FAILED
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return OK


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness: the store and the upstream are reachable",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": Readiness, "description": "not ready"}},
)
async def readyz(request: Request) -> Readiness | JSONResponse:
    store, upstream = await asyncio.gather(_store_check(request), _upstream_check(request))
    ready = store == OK and upstream == OK
    body = Readiness(status="ok" if ready else "not ready", checks={"store": store, "upstream": upstream})
    if ready:
        return body
    return JSONResponse(body.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


@router.get(
    "/metrics",
    summary="Prometheus metrics (text format)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "metrics"}},
)
async def metrics(request: Request) -> Response:
    store = runtime_of(request).store
    if store is not None:
        try:
            await asyncio.wait_for(refresh_quarantine_gauges(store), CHECK_TIMEOUT)
        except Exception as exc:  # stale gauges beat no metrics at all
            log.warning("metrics: quarantine gauges not refreshed: %s", type(exc).__name__)
    body, content_type = exposition()
    return Response(body, media_type=content_type)
