"""Headers in their everyday form are read without `email`'s header objects (most of a small
message's extraction time): the reading must be exactly the full parser's, for every value
the fast path accepts, and anything unusual must still go to the full parser."""

from __future__ import annotations

from email.message import Message
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailguard.message.extract.addresses import _parsed_addresses, header_addresses
from mailguard.message.extract.mime import _header_text, _parsed_text, parse

TESTS = Path(__file__).resolve().parent.parent
NAMES = ("from", "reply-to", "to", "cc", "resent-to", "resent-cc")

atom = st.text("abcxyzABZ0189!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=6)
label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,4}[a-z0-9])?", fullmatch=True)
addr_spec = st.builds(
    lambda local, labels: ".".join(local) + "@" + ".".join(labels),
    st.lists(atom, min_size=1, max_size=3),
    st.lists(label, min_size=2, max_size=3),
)
display = st.lists(st.text("abcXYZ09'-", min_size=1, max_size=8), min_size=1, max_size=3).map(" ".join)
mailbox = st.one_of(addr_spec, st.builds(lambda d, a: f"{d} <{a}>", display, addr_spec))
separator = st.sampled_from([", ", ",", " , ", ",\r\n ", ",\r\n\t"])


def _message(headers: list[tuple[str, str]], body: str = "Hello\r\n") -> Message:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return parse((head + "\r\n" + body).encode("utf-8", "surrogateescape"))


def _full_text(msg: Message, name: str) -> str:
    return _parsed_text(msg, name, [v for k, v in msg.raw_items() if k.lower() == name])


def _full_reading(msg: Message, name: str) -> list[tuple[str, str]]:
    raw = [str(v) for k, v in msg.raw_items() if k.lower() == name]
    return _parsed_addresses(msg, name, raw) if raw else []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(mailbox, min_size=1, max_size=4), st.lists(separator, min_size=3, max_size=3)),
                min_size=1, max_size=2))
def test_everyday_address_lists_read_as_the_full_parser_reads_them(values: list[tuple[list[str], list[str]]]) -> None:
    headers = []
    for boxes, seps in values:
        text = boxes[0] + "".join(sep + box for sep, box in zip(seps, boxes[1:], strict=False))
        headers.append(("To", text))
    msg = _message(headers)
    assert header_addresses(msg, "to") == _full_reading(msg, "to")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_any_printable_header_reads_as_the_full_parser_reads_it(value: str) -> None:
    # every printable ASCII value, quotes, comments, groups and =? included: either the fast
    # path declines it, or it agrees with the header objects
    msg = _message([("To", value), ("Subject", value), ("Message-ID", value)])
    assert header_addresses(msg, "to") == _full_reading(msg, "to")
    for name in ("subject", "message-id"):
        assert _header_text(msg, name) == _full_text(msg, name)


def test_the_test_suites_messages_read_alike() -> None:
    for path in sorted(TESTS.rglob("*.eml")):
        msg = parse(path.read_bytes())
        for part in msg.walk():
            for name in NAMES:
                assert header_addresses(part, name) == _full_reading(part, name), (path.name, name)
            for name in ("subject", "message-id"):
                assert _header_text(part, name) == _full_text(part, name), (path.name, name)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["<", ">", "@", ".", "a", "Z", "9", "-", "_", " ", "[", "]", "\"", "(", ")"]),
                max_size=30).map("".join))
@example(value="")  # "<>": Python 3.11's parser raises IndexError on it (the full reading keeps it raw)
def test_message_ids_read_as_the_full_parser_reads_them(value: str) -> None:
    msg = _message([("Message-ID", f"<{value}>"), ("Subject", value)])
    for name in ("subject", "message-id"):
        assert _header_text(msg, name) == _full_text(msg, name)
