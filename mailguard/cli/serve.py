"""`mailguard serve`: the relay, the admin endpoint and /metrics until SIGTERM/SIGINT.

SIGTERM or SIGINT stops accepting, lets transactions in flight finish (up to
MAILGUARD_SHUTDOWN_GRACE seconds), then exits 0. Start-up problems are one line and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from mailguard import eventloop
from mailguard.cli import UserError
from mailguard.environment import load_settings
from mailguard.logs import setup_logging
from mailguard.settings import Settings

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from mailguard.runtime import Runtime

log = logging.getLogger("mailguard.serve")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, metavar="N", help="relay processes (MAILGUARD_RELAY_WORKERS)")


def run(args: argparse.Namespace) -> int:
    overrides = {"relay_workers": args.workers} if args.workers else {}
    settings = load_settings(**overrides)
    _ensure_multiprocess_metrics(settings)
    setup_logging(settings)
    from mailguard.relay.startup import StartupError
    from mailguard.runtime import PipelineError

    try:
        eventloop.run(serve(settings), settings.event_loop)
    except (StartupError, PipelineError) as exc:
        raise UserError(str(exc)) from None
    return 0


def _ensure_multiprocess_metrics(settings: Settings) -> None:
    """Several relay processes need prometheus_client's multiprocess mode, which must be on
    before prometheus_client is imported: set its folder and start this command afresh."""
    from mailguard.metrics import multiprocess_dir

    if settings.relay_workers > 1 and multiprocess_dir() is None:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="mailguard-metrics-")
        os.execv(sys.executable, [sys.executable, "-m", "mailguard", *sys.argv[1:]])


class _NoColourCopy(logging.Filter):
    """uvicorn passes an ANSI-coloured copy of some messages as `color_message`: keep it out of
    our (text or JSON) lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("color_message", None)
        return True


_NO_COLOUR = _NoColourCopy()


class AdminServer:
    """uvicorn in our event loop, without its own signal handling (we do that)."""

    def __init__(self, app: object, sock: socket.socket, settings: Settings, log_level: str | None = None) -> None:
        import uvicorn

        from mailguard.admin.listener import uvicorn_options

        class _Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                yield

        # log_config=None: uvicorn's lines go through our handlers (JSON when MAILGUARD_LOG_FORMAT=json).
        logging.getLogger("uvicorn.error").addFilter(_NO_COLOUR)
        config = uvicorn.Config(
            app,
            loop="none",
            lifespan="auto",
            log_level=log_level or settings.log_level.lower(),
            log_config=None,
            access_log=False,
            **uvicorn_options(settings),  # timeouts, connection cap, TLS, trusted proxies
        )
        self.server = _Server(config)
        self.sock = sock
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.server.serve(sockets=[self.sock]))

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError, SystemExit):
                await self.task


async def serve(settings: Settings, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Run until SIGTERM/SIGINT. `on_ready` gets the relay's host:port once it listens."""
    from mailguard.admin.app import create_app
    from mailguard.admin.listener import raise_open_files_limit
    from mailguard.metrics import reset_multiprocess_dir, worker_exited
    from mailguard.relay.server import RelayServer, bind_socket, preflight
    from mailguard.relay.workers import start_workers, stop_workers
    from mailguard.runtime import build_runtime

    # Signals first: a SIGTERM while starting (a slow host, a quick rollback) must still end in
    # a graceful stop with exit 0, not the default action's death mid-start.
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, lambda: None)  # nothing to reload yet
    preflight(settings)
    before, after = raise_open_files_limit()
    if after > before:
        log.info("open files limit raised from %d to %d", before, after)
    extra_workers = settings.relay_workers - 1
    host, port = settings.listen_address
    relay_sock = bind_socket(host, port, reuse_port=extra_workers > 0)
    admin_sock = bind_socket(*settings.admin_address)
    runtime = await build_runtime(settings)
    workers = []
    try:
        relay = RelayServer(runtime, sock=relay_sock)
        await relay.start()
        admin = AdminServer(create_app(runtime), admin_sock, settings)
        admin.start()
        runtime.start_background()  # the outbox and housekeeping run in this process only
        reset_multiprocess_dir()  # no counters carried over from an earlier run in the same folder
        if extra_workers:
            workers = start_workers(settings, extra_workers)
        loop.add_signal_handler(signal.SIGHUP, _reload_all, runtime, workers)
        relay_at = "{}:{}".format(*relay.address)
        log.info(
            "mailguard serving: relay %s, admin %s://%s:%d/, upstream %s:%d, %d relay process(es)",
            relay_at,
            "https" if settings.admin_tls_cert_file else "http",
            *admin_sock.getsockname()[:2],
            settings.upstream_host,
            settings.upstream_port,
            settings.relay_workers,
        )
        if on_ready is not None:
            on_ready(relay_at)
        await stop.wait()
        runtime.draining = True  # /readyz answers 503 from now on: balancers stop sending sessions
        log.info("shutting down: /readyz now answers 503, finishing transactions in flight")
        started = time.monotonic()
        await relay.stop(settings.shutdown_grace)
        if workers:
            codes = await asyncio.to_thread(stop_workers, workers, settings.shutdown_grace + 5)
            for process in workers:
                if process.pid is not None:
                    worker_exited(process.pid)
            log.info("relay workers exited with %s", codes)
        await admin.stop()
        log.info("stopped after %.1f s", time.monotonic() - started)
    finally:
        if workers:
            stop_workers(workers, 1.0)
        await runtime.aclose()


def _reload_all(runtime: Runtime, workers: list[BaseProcess]) -> None:
    """SIGHUP: re-read rules and register here (in a thread: a large register takes a while)
    and in every relay worker."""
    log.info("SIGHUP: reloading rules and register")
    asyncio.get_running_loop().run_in_executor(None, runtime.reload)
    for process in workers:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGHUP)
