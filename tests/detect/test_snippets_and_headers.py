from __future__ import annotations

from mailguard.detect.base import make_snippet
from mailguard.detect.header_facts import read_headers
from mailguard.message.model import AddressSource


def test_snippet_has_context_cut_at_words() -> None:
    text = "Dear team, please send the pack to\n14  High Street, Bristol BS1 4AA today and let us know."
    start = text.index("14")
    end = text.index("BS1 4AA") + len("BS1 4AA")
    snip = make_snippet(text, start, end, "body", context=20)
    assert snip.match == "14 High Street, Bristol BS1 4AA"
    assert snip.before == "send the pack to "
    assert snip.after == " today and let us"
    assert snip.where == "body"


def test_snippet_clamps_bad_spans() -> None:
    snip = make_snippet("short", 3, 99, "x")
    assert snip.match == "rt"  # clamped to the text, never an exception
    assert make_snippet("", 0, 0, "x").match == ""


def test_headers_groups_commas_and_idn() -> None:
    data = (
        b'From: "Smith, John" <JS@dept.example.gov.uk>\r\n'
        b'To: "Doe, Jane" <jane@gmail.com>, undisclosed-recipients:;\r\n'
        b"Cc: team: a@b.org, c@d.org;, x@xn--bcher-kva.de\r\n"
        b"Bcc: z@y.com\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n\r\nbody"
    )
    facts = read_headers(data)
    assert facts.from_address == "js@dept.example.gov.uk"
    assert facts.to == ["jane@gmail.com"]
    # the one address-header parser (message/extract/addresses.py): IDN in Unicode, as extraction has it
    assert facts.cc == ["a@b.org", "c@d.org", "x@bücher.de"]
    assert facts.bcc == ["z@y.com"]
    assert facts.message_id == "<1@x>"
    assert [v.source for v in facts.visible()] == [AddressSource.TO] + [AddressSource.CC] * 3


def test_headers_never_raise_on_garbage() -> None:
    facts = read_headers(b"To: <<<@@ ,, \xff\xfe\r\nCc: =?bogus?=\r\n\r\n")
    assert facts.bcc == []
