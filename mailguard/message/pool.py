"""Extraction in bounded worker processes, so a hostile attachment costs a worker, never the relay.

Each worker (`mailguard.message.worker`) has an address-space limit (RLIMIT_AS) and each
message a wall-clock limit; a worker that dies, hits its memory limit or overruns is killed
and replaced, and the message becomes `Unscanned(where="message", reason=timeout)`. Talking
to a worker is non-blocking socket I/O on the event loop (no thread hop per message); a large
result is unpacked in a thread.

The one parse on the event loop: a plain-text message (no HTML, no attachment) of at most
`FAST_PATH_MAX` bytes is read in-process (see `fast_path`), while the loop's inline budget
(`message/inline.py`) allows. The bound is measured, not guessed: the costliest 16 KB plain
text we know (one 16 KB line of email addresses) takes 3.6 ms to read, an address on every
line 1.5 ms (2-core machine, load 5); a clean 10 KB message 0.6 ms against a 1.0-1.3 ms worker
round trip. HTML, linear as its extraction is (html.py), costs up to 20 ms for 8 KB of table
rows and 110 ms for 64 KB on the loaded 2-core CI machine, so HTML always goes to a worker. So
does anything bigger and anything with an attachment. `bench/load.py --hostile` shows the
loop lag under hostile HTML.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import json
import logging
import pickle
import re
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Protocol

from mailguard.message import wire
from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.inline import InlineBudget
from mailguard.message.lanes import Lanes
from mailguard.message.model import Content, Unscanned, UnscannedReason

log = logging.getLogger(__name__)

FAST_PATH_MAX = 16 * 1024  # bytes; up to this a plain-text message is read in-process
_FAST_TYPES = frozenset({b"text/plain"})
# Looked for in the lower-cased message (bytes.lower and re.I both fold ASCII only): each
# pattern's leading literal found with bytes.find, its anchor (line start, word start) checked,
# the rest matched there. As one case-insensitive alternation anchored with ^ and \b they cost
# 1 ms per 10 KB message, more than reading it; this costs about 0.03 ms.
_CONTENT_TYPE = re.compile(rb"content-type:\s*\"?([!-~]+?)\"?\s*(?:;|$)", re.M)  # at a line start
_ATTACHMENT = re.compile(rb"content-disposition:\s*attachment")  # at a line start
_UUENCODED = re.compile(rb"begin [0-7]{3}")  # at a line start
_NAME = re.compile(rb"name\*?=")  # a file name parameter, at a word start
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")


def _matches(text: bytes, pattern: re.Pattern[bytes], word: bool = False) -> Iterator[re.Match[bytes]]:
    """`pattern`'s matches that start a line (or, with `word`, a word) in `text`."""
    literal = pattern.pattern[:4]  # each pattern starts with at least four literal bytes
    at = text.find(literal)
    while at >= 0:
        before = text[at - 1] if at else None
        if (before not in _WORD if word else before in (None, 0x0A)) and (found := pattern.match(text, at)):
            yield found
        at = text.find(literal, at + 1)
_EXTRACTORS = "mailguard.message.extract.content"
# Up to this size a message takes the small lane (message/lanes.py): short letters, HTML mail,
# small attachments, each a few milliseconds of a worker; beyond it, a document can keep a
# worker for a second or more (a 1 MB spreadsheet: 150 ms to read, more to match).
SMALL_MAX = 256 * 1024
_JOIN_TIMEOUT = 2.0
_RESTART_DELAY = 1.0


def fast_path(data: bytes) -> bool:
    """True for a small message whose every part is a plain-text body (no HTML, no attachment)."""
    if len(data) > FAST_PATH_MAX:
        return False
    text = data.lower()
    if any(_matches(text, _ATTACHMENT)) or any(_matches(text, _UUENCODED)) or any(_matches(text, _NAME, word=True)):
        return False
    return all(m[1] in _FAST_TYPES for m in _matches(text, _CONTENT_TYPE))


def timed_out(detail: str) -> Content:
    return Content(unscanned=[Unscanned("message", UnscannedReason.TIMEOUT, detail)])


_LENGTH = struct.Struct("!i")  # multiprocessing.Connection's framing, which the worker speaks
_LONG_LENGTH = struct.Struct("!Q")  # after a length of -1: messages of 2 GiB and more
_UNPACK_INLINE = 64 * 1024  # packed results up to this are unpacked on the loop (~0.1 ms)
_RESULT_ERRORS = (pickle.UnpicklingError, ValueError, TypeError, KeyError, EOFError)


def _frame(size: int) -> bytes:
    if size > 0x7FFFFFFF:
        return _LENGTH.pack(-1) + _LONG_LENGTH.pack(size)
    return _LENGTH.pack(size)


class _Worker:
    """One worker process (started by exec: it never re-runs our main script) and our end of
    its socket pair."""

    def __init__(self, limits: ExtractLimits) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mailguard.message.worker", str(theirs.fileno()),
                 json.dumps(dataclasses.asdict(limits))],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.sock = ours
        self._stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def roundtrip(self, data: bytes, within: float, threads: ThreadPoolExecutor) -> Content | None:
        """Send one message and wait for its Content; None if the worker died or overran."""
        try:
            async with asyncio.timeout(within):
                if self._stream is None:
                    self._stream = await asyncio.open_connection(sock=self.sock)
                reader, writer = self._stream
                writer.writelines((_frame(len(data)), data))  # no copy of the message
                await writer.drain()
                (size,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
                if size == -1:
                    (size,) = _LONG_LENGTH.unpack(await reader.readexactly(_LONG_LENGTH.size))
                packed = await reader.readexactly(size)
            if len(packed) <= _UNPACK_INLINE:
                return wire.unpack(packed)
            return await asyncio.get_running_loop().run_in_executor(threads, wire.unpack, packed)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, *_RESULT_ERRORS):
            return None

    def close_stream(self) -> None:
        """Close our end (on the loop: the stream belongs to it); the worker exits on EOF."""
        with contextlib.suppress(Exception):
            if self._stream is not None:
                self._stream[1].close()
            else:
                self.sock.close()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(_JOIN_TIMEOUT)

    def stop(self) -> None:
        """Wait for the worker to exit (`close_stream` first); kill it if it does not."""
        try:
            self.process.wait(_JOIN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


class Extractor(Protocol):
    """What the Scanner asks of extraction (the pool, or a test's in-process stand-in)."""

    @property
    def inline(self) -> InlineBudget | None:
        """Loop time for work done in-process; None: never decide on the loop."""
        ...

    async def extract(self, data: bytes) -> Content: ...

    async def aclose(self) -> None: ...


class ExtractionPool:
    """`await pool.extract(data)` → `Content`; never raises. Use as an async context manager
    (or call `start()` / `aclose()`); `extract` starts the workers itself if needed."""

    def __init__(self, limits: ExtractLimits, workers: int) -> None:
        self.limits = limits
        self.size = max(1, workers)
        # threads to start and stop workers and to unpack large results
        self._threads = ThreadPoolExecutor(max_workers=self.size + 1, thread_name_prefix="mailguard-extract")
        self._lanes: Lanes[_Worker] | None = None
        self._workers: set[_Worker] = set()
        self._start_lock: asyncio.Lock | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._imported: asyncio.Future[object] | None = None
        self.inline = InlineBudget()  # loop time for in-process work; the scanner's decide shares it

    async def __aenter__(self) -> ExtractionPool:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def start(self) -> None:
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self._lanes is not None:
                return
            loop = asyncio.get_running_loop()
            # the fast path's extractors are imported now, in a thread, without delaying the
            # start: a first import of pypdf, lxml and the rest would stall the loop for a second
            self._imported = loop.run_in_executor(self._threads, importlib.import_module, _EXTRACTORS)
            started = await asyncio.gather(
                *(loop.run_in_executor(self._threads, _Worker, self.limits) for _ in range(self.size))
            )
            lanes: Lanes[_Worker] = Lanes(self.size)
            for worker in started:
                self._workers.add(worker)
                lanes.add(worker)
            self._lanes = lanes

    async def extract(self, data: bytes) -> Content:
        try:
            if fast_path(data) and self.inline.available():
                if self._imported is not None and not self._imported.done():
                    await asyncio.shield(self._imported)  # not the loop's thread: the import's
                from mailguard.message.extract.content import extract_content  # loaded by `start`

                with self.inline.timed():
                    return extract_content(data, self.limits)
            return await self._in_worker(data)
        except asyncio.CancelledError:
            raise
        except Exception:  # the promise is "never raises"
            log.exception("extraction pool failure")
            return timed_out("extraction pool failure")

    async def _in_worker(self, data: bytes) -> Content:
        if self._closed:
            return timed_out("extraction pool closed")
        if self._lanes is None:
            await self.start()
        assert self._lanes is not None
        small = len(data) <= SMALL_MAX
        worker = await self._lanes.acquire(small)
        result: Content | None = None
        try:
            result = await worker.roundtrip(data, self.limits.timeout, self._threads)
        finally:
            # a worker that hit its memory limit says so with a message-wide timeout and exits
            exiting = result is None or any(
                u.where == "message" and u.reason is UnscannedReason.TIMEOUT for u in result.unscanned
            )
            if not exiting and worker.alive and not self._closed:
                self._lanes.release(worker, small)
            else:  # dead, overran, exiting, or we were cancelled mid-message: replace it
                self._lanes.release(None, small)
                self._replace(worker)
        if result is None:
            log.warning("extraction worker overran %.1f s or died; message unscanned", self.limits.timeout)
            return timed_out(f"no result within {self.limits.timeout:g} s, or the worker died")
        return result

    def _replace(self, worker: _Worker) -> None:
        self._workers.discard(worker)
        worker.close_stream()
        self._spawn_task(self._restart(worker))

    def _spawn_task(self, coro: object) -> None:
        task = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _restart(self, old: _Worker) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._threads, old.kill)
        while not self._closed and self._lanes is not None:
            try:
                fresh = await loop.run_in_executor(self._threads, _Worker, self.limits)
            except Exception:
                log.exception("could not start an extraction worker; retrying")
                await asyncio.sleep(_RESTART_DELAY)
                continue
            if self._closed:
                fresh.close_stream()
                await loop.run_in_executor(self._threads, fresh.kill)
                return
            self._workers.add(fresh)
            self._lanes.add(fresh)
            return

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        workers = list(self._workers)
        self._workers.clear()
        for worker in workers:
            worker.close_stream()
        await asyncio.gather(*(loop.run_in_executor(self._threads, w.stop) for w in workers))
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._threads.shutdown(wait=False, cancel_futures=True)
