"""The worker pool: results, the fast path, a worker that dies or overruns, memory limits."""

from __future__ import annotations

import asyncio
import os
import re
import signal

from hypothesis import given
from hypothesis import strategies as st

from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.model import UnscannedReason
from mailguard.message.pool import FAST_PATH_MAX, ExtractionPool, fast_path
from mailguard.settings import Settings

from .builders import docx, message, w_p


def test_limits_from_settings() -> None:
    settings = Settings(extract_max_depth=4, extract_timeout=3.0, extract_memory_mb=256)
    limits = ExtractLimits.from_settings(settings)
    assert (limits.max_depth, limits.timeout, limits.memory_mb) == (4, 3.0, 256)
    assert limits.max_parts == settings.extract_max_parts


def test_fast_path_only_for_small_text_messages() -> None:
    assert fast_path(message("hello"))
    assert not fast_path(message("hello", html="<p>hi</p>"))  # HTML is never parsed on the event loop
    assert not fast_path(message("hello", attachments=[("a.txt", b"x", "text/plain")]))
    assert not fast_path(message("x" * 100_000))


async def test_pool_extracts_in_workers() -> None:
    data = message("x", attachments=[("a.docx", docx(w_p("14 Acacia Avenue")), "application/octet-stream")])
    async with ExtractionPool(ExtractLimits(), 2) as pool:
        results = await asyncio.gather(*(pool.extract(data) for _ in range(6)))
        assert all(any("14 Acacia Avenue" in s.text for s in r.segments) for r in results)
        plain = await pool.extract(message("plain 3 Fast Road"))
        assert [s.text for s in plain.segments if s.where == "body (text/plain)"] == ["plain 3 Fast Road"]


async def test_worker_that_dies_is_replaced() -> None:
    big = message("x", attachments=[("a.csv", b"a,b\n" * 2_000_000, "text/csv")])
    async with ExtractionPool(ExtractLimits(timeout=30), 1) as pool:
        worker = next(iter(pool._workers))
        task = asyncio.create_task(pool.extract(big))
        await asyncio.sleep(0.5)
        os.kill(worker.process.pid, signal.SIGKILL)
        content = await task
        assert [(u.where, u.reason) for u in content.unscanned] == [("message", UnscannedReason.TIMEOUT)]
        small = message("x", attachments=[("a.txt", b"4 After Road", "text/plain")])
        after = await pool.extract(small)
        assert any(s.text == "4 After Road" for s in after.segments)


async def test_overrun_is_a_timeout() -> None:
    big = message("x", attachments=[("a.csv", b"a,b\n" * 2_000_000, "text/csv")])
    async with ExtractionPool(ExtractLimits(timeout=0.3), 1) as pool:
        content = await pool.extract(big)
        assert [(u.where, u.reason) for u in content.unscanned] == [("message", UnscannedReason.TIMEOUT)]


async def test_memory_limit_is_a_timeout() -> None:
    big = message("x", attachments=[("a.csv", b"a,b\n" * 3_000_000, "text/csv")])
    async with ExtractionPool(ExtractLimits(memory_mb=160, timeout=30), 1) as pool:
        content = await pool.extract(big)
        assert ("message", UnscannedReason.TIMEOUT) in {(u.where, u.reason) for u in content.unscanned}
        after = await pool.extract(message("x", attachments=[("a.txt", b"5 Next Road", "text/plain")]))
        assert any(s.text == "5 Next Road" for s in after.segments)


# fast_path as it was written first (one case-insensitive alternation): the reference that the
# faster literal-first search must agree with on any message
_REF_CONTENT_TYPE = re.compile(rb"^content-type:\s*\"?([!-~]+?)\"?\s*(?:;|$)", re.I | re.M)
_REF_NOT_FAST = re.compile(rb"^content-disposition:\s*attachment|\bname\*?=|^begin [0-7]{3}", re.I | re.M)


def _reference_fast_path(data: bytes) -> bool:
    if len(data) > FAST_PATH_MAX or _REF_NOT_FAST.search(data):
        return False
    return all(t.lower() in {b"text/plain"} for t in _REF_CONTENT_TYPE.findall(data))


_PIECES = [
    b"Content-Type: text/plain",
    b"CONTENT-TYPE:text/html",
    b'content-type: "Text/Plain"; charset=x',
    b"Content-Type:",
    b"Content-Disposition: attachment",
    b"content-disposition:  ATTACHMENT",
    b"Content-Disposition: inline",
    b" name=",
    b"filename=",
    b"xname=",
    b"NAME*=",
    b"_name=",
    b"name",
    b"begin 644 a",
    b"BEGIN 7",
    b"begin 999",
    b"\r\n",
    b"\n",
    b"\r",
    b" ",
    b"\t",
    b";",
    b'"',
    b"x",
    b"\xc3\xa9",
    b"conTent-type",
    b": ",
    b"text/plain",
    b"-",
    b"=",
    b"*",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_fast_path_agrees_with_its_reference(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    assert fast_path(data) == _reference_fast_path(data)
