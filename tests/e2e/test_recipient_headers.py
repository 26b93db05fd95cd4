"""Recipients a reader sees outside plain To/Cc addresses: Resent-To/Resent-Cc, and addresses
typed into a display name. Both are exposure, and the rewrite hides them (real relay)."""

from __future__ import annotations

from email import message_from_bytes, policy

from support.stack import Stack

from mailguard.message import extract_content

from .mail import COLLEAGUE, SENDER, marker, subject_of


def _send(stack: Stack, headers: str, rcpts: list[str]) -> bytes | None:
    """What was delivered, or None when the message was held for review."""
    word = marker()
    data = f"From: <{SENDER}>\r\n{headers}Subject: {word}\r\n\r\nHello.\r\n".encode()
    code, text = stack.send(data, SENDER, rcpts)
    assert code == 250, text
    if b"held for review" in text:
        return None
    stack.wait_for(lambda m: word in subject_of(m.data))
    stack.outbox_idle()  # a rewrite may go out as one copy inside and one outside
    return b"".join(c.data for c in stack.delivered(lambda m: word in subject_of(m.data)))


DISPLAY_NAME_LIST = (
    b'From: a@council.example\r\nTo: "ann@gmail.com; bob@hotmail.co.uk" <consultation@council.example>\r\n\r\nx\r\n'
)


def _shown(data: bytes, name: str) -> str:
    return " ".join(str(v) for v in message_from_bytes(data, policy=policy.compat32).get_all(name, []))


def test_addresses_typed_into_a_display_name_are_exposed(stack: Stack) -> None:
    got = _send(
        stack,
        f'To: "ann@gmail.com; bob@hotmail.co.uk" <consultation@council.example>\r\nCc: {COLLEAGUE}\r\n',
        ["ann@gmail.com", "bob@hotmail.co.uk", COLLEAGUE],
    )
    assert got is None or ("ann@gmail.com" not in _shown(got, "To") and "bob@" not in _shown(got, "To"))
    content = extract_content(DISPLAY_NAME_LIST)
    assert {"ann@gmail.com", "bob@hotmail.co.uk"} <= {a.address for a in content.addresses}


def test_resent_to_and_cc_are_visible_recipients(stack: Stack) -> None:
    got = _send(
        stack,
        f"To: {COLLEAGUE}\r\nResent-From: <{SENDER}>\r\nResent-To: ann@gmail.com\r\nResent-Cc: bob@sky.com\r\n",
        ["ann@gmail.com", "bob@sky.com"],
    )
    assert got is not None
    assert "ann@gmail.com" not in _shown(got, "Resent-To") and "bob@sky.com" not in _shown(got, "Resent-Cc")
    assert COLLEAGUE in _shown(got, "To")
