"""Outlook .msg attachments (OLE2 compound files written by tests/message/cfb.py)."""

from __future__ import annotations

from mailguard.message import extract_content
from mailguard.message.model import AddressSource, Content, SegmentKind

from .builders import message
from .cfb import msg_tree, outlook_msg

AT = 'attachment "case.msg"'


def _extract(data: bytes, name: str = "case.msg") -> Content:
    return extract_content(message("see attached", attachments=[(name, data, "application/vnd.ms-outlook")]))


def _segments(c: Content) -> list[tuple[str, str]]:
    return [(s.where, s.text) for s in c.segments]


def _listed(c: Content) -> set[tuple[str, str, str]]:
    return {(a.address, a.where, a.display_name) for a in c.addresses if a.source is AddressSource.LISTED}


def test_msg_subject_body_recipients_and_attachment() -> None:
    data = outlook_msg(
        subject="Re: 14 Acacia Avenue",
        body="The family now lives at 14 Acacia Avenue, Bristol BS1 4AB.",
        sender="worker@dept.example.gov.uk",
        recipients=[("to", "Ann@Partner.org", "Ann Partner"), ("cc", "bob@x.org", ""),
                    ("bcc", "ex.partner@gmail.com", "Hidden")],
        attachments=[("list.csv", b"name,address\nAnn,5 Embedded Way\n", "text/csv")],
    )
    c = _extract(data)
    segments = _segments(c)
    assert (f"{AT} › subject", "Re: 14 Acacia Avenue") in segments
    assert (f"{AT} › body (text/plain)", "The family now lives at 14 Acacia Avenue, Bristol BS1 4AB.") in segments
    assert (f'{AT} › attachment "list.csv" › row 2', "Ann | 5 Embedded Way") in segments
    assert (f"{AT} › To", "Ann Partner") in segments and (f"{AT} › Bcc", "Hidden") in segments
    listed = _listed(c)
    assert ("worker@dept.example.gov.uk", f"{AT} › From", "") in listed
    assert ("ann@partner.org", f"{AT} › To", "Ann Partner") in listed
    assert ("bob@x.org", f"{AT} › Cc", "") in listed
    # a sent message saved as .msg shows its Bcc line to whoever opens it
    assert ("ex.partner@gmail.com", f"{AT} › Bcc", "Hidden") in listed
    assert not any(a.source in (AddressSource.TO, AddressSource.CC) and "gmail" in a.address for a in c.addresses)
    assert {(a.filename, a.where) for a in c.attachments} == {
        ("case.msg", AT), ("list.csv", f'{AT} › attachment "list.csv"')}
    assert c.unscanned == []


def test_msg_html_body_large_attachment_and_embedded_message() -> None:
    inner = msg_tree(subject="Inner note", body="Moved to 22 Elm Road", top=False,
                     recipients=[("to", "carol@y.org", "")])
    big = ("row,22 Elm Road\n" * 400).encode()  # over 4,096 bytes: a regular-sector stream
    data = outlook_msg(
        subject="Bundle",
        html=b"<p>See <b>9 Oak Lane</b> and <a href='mailto:dan@z.org'>Dan</a></p>",
        attachments=[("big.txt", big, "text/plain")],
        attached_messages=[("Inner note", inner)],
    )
    c = _extract(data)
    segments = _segments(c)
    assert (f"{AT} › body (text/html)", "See 9 Oak Lane and Dan") in segments
    assert ("dan@z.org", f"{AT} › body (text/html) › link 1", "") in _listed(c)
    assert any(w == f'{AT} › attachment "big.txt"' and t.count("22 Elm Road") == 400 for w, t in segments)
    inner_at = f'{AT} › attachment "Inner note"'
    assert (f"{inner_at} › subject", "Inner note") in segments
    assert (f"{inner_at} › body (text/plain)", "Moved to 22 Elm Road") in segments
    assert ("carol@y.org", f"{inner_at} › To", "") in _listed(c)
    assert c.unscanned == []


def test_msg_recognised_by_content_not_name() -> None:
    c = extract_content(message("x", attachments=[("blob.bin", outlook_msg(subject="Named wrongly"),
                                                   "application/octet-stream")]))
    assert any(s.text == "Named wrongly" and s.kind is SegmentKind.FIELD for s in c.segments)


def test_truncated_msg_is_corrupt() -> None:
    data = outlook_msg(subject="x", body="y" * 10_000)
    c = _extract(data[: len(data) // 2])
    assert [(u.where, u.reason.value) for u in c.unscanned] == [(AT, "corrupt")]
