"""Hostile HTML must not stall the relay: a 51 KB body of `<table><tr><td>` nested 1,700 deep
froze the event loop for 20 s (parsed in-process, table extraction quadratic in nesting).

Checked without timing: such a message is not read on the event loop, and the work of reading
it (counted as interpreter call events) grows linearly with the nesting depth."""

from __future__ import annotations

import sys
from collections.abc import Callable
from email.message import EmailMessage

import pytest

from mailguard.message import extract_content
from mailguard.message.extract.html import tame
from mailguard.message.pool import FAST_PATH_MAX, fast_path


def html_message(html: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "caseworker@dept.example.gov.uk"
    msg["To"] = "someone@example.org"
    msg["Subject"] = "hello"
    msg.set_content(html, subtype="html")
    return msg.as_bytes()


def nested_tables(depth: int) -> str:
    return "<table><tr><td>" * depth + "14 Acacia Avenue" + "</td></tr></table>" * depth


def nested_divs(depth: int) -> str:
    return "<div>" * depth + "14 Acacia Avenue"


def many_attributes(count: int) -> str:
    return "<p " + " ".join(f'a{i}="v"' for i in range(count)) + ">14 Acacia Avenue</p>"


def wide_rows(count: int) -> str:
    return "<table>" + "<tr><td>14 Acacia Avenue</td><td>x@example.org</td></tr>" * count + "</table>"


def call_events(work: Callable[[], object]) -> int:
    """How many calls (Python and C) `work` makes: a deterministic measure of its cost."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def test_the_reported_message_is_not_parsed_on_the_event_loop() -> None:
    data = html_message("<table><tr><td>" * 1700 + "x")
    assert 25_000 < len(data) and not fast_path(data)
    assert FAST_PATH_MAX <= 16 * 1024  # the measured bound (message/pool.py)
    assert not fast_path(html_message("<table><tr><td>" * 10 + "x"))  # no HTML is parsed on the loop


@pytest.mark.parametrize("shape", [nested_tables, nested_divs, many_attributes, wide_rows])
def test_html_extraction_work_is_linear(shape: Callable[[int], str]) -> None:
    small, large = (call_events(lambda n=n: extract_content(html_message(shape(n)))) for n in (200, 1600))
    # 8 times the input: linear work is about 8 times the calls; quadratic would be 64 times
    assert large < small * 12, (small, large)


@pytest.mark.parametrize("shape", [nested_tables, nested_divs, many_attributes, wide_rows])
def test_hostile_html_is_still_read(shape: Callable[[int], str]) -> None:
    content = extract_content(html_message(shape(2000)))
    assert not content.unscanned
    assert any("14 Acacia Avenue" in s.text for s in content.segments)


@pytest.mark.parametrize("html", [
    "<p>x" * 2000,  # unclosed paragraphs: each ends at the next
    "<table>" + "<tr><td>a<td>b" * 2000 + "</table>",  # unclosed cells and rows
    "<ul>" + "<li>x" * 3000 + "</ul>",
])
def test_ordinary_markup_without_end_tags_keeps_its_rows(html: str) -> None:
    """The depth pre-scan follows implied end tags, so long flat markup is not taken for deep."""
    assert tame(html)


@pytest.mark.parametrize("html", [nested_tables(200), nested_divs(600), many_attributes(600)])
def test_deep_or_crowded_markup_is_read_flat(html: str) -> None:
    assert not tame(html)
