"""Extra relay processes on the same port (SO_REUSEPORT): MAILGUARD_RELAY_WORKERS - 1 of them.

The parent runs the admin listener and one relay; each worker runs only a relay, with its own
runtime (decider, store connections) built from the same settings.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from multiprocessing.process import BaseProcess

from mailguard import eventloop
from mailguard.logs import setup_logging
from mailguard.relay.server import RelayServer
from mailguard.relay.startup import StartupError
from mailguard.runtime import build_runtime
from mailguard.settings import Settings

log = logging.getLogger(__name__)


def start_workers(settings: Settings, count: int) -> list[BaseProcess]:
    context = multiprocessing.get_context("spawn")  # no event loop or threads inherited
    workers: list[BaseProcess] = []
    for index in range(count):
        process = context.Process(target=worker_main, args=(settings,), name=f"mailguard-relay-{index + 1}")
        process.start()
        workers.append(process)
    return workers


def stop_workers(workers: list[BaseProcess], timeout: float) -> list[int | None]:
    """SIGTERM every worker (each finishes its transactions), wait, return their exit codes."""
    for process in workers:
        if process.is_alive() and process.pid is not None:
            process.terminate()
    for process in workers:
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(5)
    return [process.exitcode for process in workers]


def worker_main(settings: Settings) -> None:
    setup_logging(settings)
    try:
        eventloop.run(_serve_worker(settings), settings.event_loop)
    except StartupError as exc:
        log.error("relay worker cannot start: %s", exc)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        pass


async def _serve_worker(settings: Settings) -> None:
    runtime = await build_runtime(settings)
    server = RelayServer(runtime, reuse_port=True)
    try:
        await server.start()
        runtime.start_background(outbox=False)  # the parent runs the one outbox
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, runtime.reload))
        await stop.wait()
        await server.stop(settings.shutdown_grace)
    finally:
        await runtime.aclose()
