"""Headers, bodies, charsets and encodings."""

from __future__ import annotations

import base64

from mailguard.message import extract_content
from mailguard.message.model import AddressSource, SegmentKind, UnscannedReason

from .builders import message


def _text(content) -> str:
    return "\n".join(s.text for s in content.segments)


def test_plain_body_subject_and_headers() -> None:
    c = extract_content(message("Visit 14 Acacia Avenue\nBristol BS1 4AB", subject="Re: 22 Elm Road"))
    assert c.subject == "Re: 22 Elm Road"
    assert c.message_id == "<test-1@dept.example.gov.uk>"
    assert c.from_address == "sender@dept.example.gov.uk"
    body = [s for s in c.segments if s.where == "body (text/plain)"]
    assert body and "14 Acacia Avenue\nBristol BS1 4AB" in body[0].text
    subject = [s for s in c.segments if s.kind is SegmentKind.FIELD]
    assert subject[0].text == "Re: 22 Elm Road" and subject[0].where == "subject"
    assert c.unscanned == []


def test_to_cc_strict_parsing() -> None:
    raw = (
        b"From: a@dept.example.gov.uk\r\n"
        b"To: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <Joerg@Example.COM>, Friends: Bob <bob@x.org>, carol@y.org;,\r\n"
        b" (a comment) dave@Z.org (another)\r\n"
        b"Cc: \"Smith, Jo\" <jo@xn--mnchen-3ya.de>, \"eve@evil.com\" <eve@good.com>\r\n"
        b"Subject: s\r\n\r\nbody\r\n"
    )
    c = extract_content(raw)
    to = {a.address for a in c.addresses if a.source is AddressSource.TO}
    cc = {a.address for a in c.addresses if a.source is AddressSource.CC}
    assert to == {"joerg@example.com", "bob@x.org", "carol@y.org", "dave@z.org"}
    assert cc == {"jo@münchen.de", "eve@good.com", "eve@evil.com"}  # a display name shows its address too
    names = {a.address: a.display_name for a in c.addresses}
    assert names["joerg@example.com"] == "Jörg Müller"


def test_defective_recipient_header_still_counts_every_address() -> None:
    raw = b"To: alice@a.org, <<bob@b.org\r\nSubject: s\r\n\r\nx\r\n"
    c = extract_content(raw)
    assert {"alice@a.org", "bob@b.org"} <= {a.address for a in c.addresses if a.source is AddressSource.TO}


def test_duplicate_to_headers_are_all_read() -> None:
    raw = b"To: a@a.org\r\nTo: b@b.org\r\nSubject: s\r\n\r\nx\r\n"
    c = extract_content(raw)
    assert {a.address for a in c.addresses if a.source is AddressSource.TO} == {"a@a.org", "b@b.org"}


def test_listed_addresses_in_body() -> None:
    c = extract_content(message("Attendees:\nann@one.org\nBen <BEN@Two.org>\n"))
    listed = {(a.address, a.where) for a in c.addresses if a.source is AddressSource.LISTED}
    assert ("ann@one.org", "body (text/plain)") in listed and ("ben@two.org", "body (text/plain)") in listed


def test_html_hidden_text_alt_entities_tables_no_comments() -> None:
    html = (
        "<html><head><title>T</title><style>.x{}</style></head><body>"
        "<p>Dear <b>Ms</b> Smith,</p><!-- 99 Secret Street -->"
        '<div style="display:none">14 Hidden Lane</div><img alt="Map of 3 Alt Road" src="x">'
        "<p>Caf&eacute; &amp; 7&nbsp;Mill&nbsp;Road</p><script>var a = '1 Script Street';</script>"
        "<table><tr><td>14</td><td>Acacia Avenue</td><td>BS1 4AB</td></tr>"
        "<tr><td>15</td><td>Elm Road</td></tr></table></body></html>"
    )
    c = extract_content(message("plain", html=html))
    text = _text(c)
    assert "Dear Ms Smith," in text
    assert "14 Hidden Lane" in text and "Map of 3 Alt Road" in text
    assert "Café & 7\xa0Mill\xa0Road" in text or "Café & 7 Mill Road" in text
    assert "Secret Street" not in text and "Script Street" not in text
    rows = [s for s in c.segments if s.kind is SegmentKind.ROW]
    assert [r.text for r in rows] == ["14 | Acacia Avenue | BS1 4AB", "15 | Elm Road"]
    assert rows[0].where == "body (text/html) › table 1, row 1"


def _single(ctype_params: bytes, cte: bytes, payload: bytes) -> bytes:
    return (
        b"To: a@a.org\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; " + ctype_params
        + b"\r\nContent-Transfer-Encoding: " + cte + b"\r\n\r\n" + payload
    )


def test_charsets() -> None:
    text = "14 Acacia Avenue, Bristol — café"
    cases = [
        (b'charset="utf-16"', b"base64", base64.b64encode(text.encode("utf-16-be"))),  # no BOM, BE
        (b'charset="utf-16le"', b"base64", base64.b64encode(text.encode("utf-16-le"))),
        (b'charset="utf-32"', b"base64", base64.b64encode(text.encode("utf-32"))),  # with BOM
        (b'charset="utf-7"', b"7bit", text.encode("utf-7")),
        (b'charset="us-ascii"', b"8bit", text.encode("utf-8")),  # wrong label
        (b'charset="x-unknown"', b"8bit", text.encode("utf-8")),
        (b'charset="iso-8859-1"', b"quoted-printable", b"14 Acacia Avenue, Bristol =E2=80=94 caf=C3=A9"),
    ]
    for params, cte, payload in cases:
        c = extract_content(_single(params, cte, payload))
        body = _text(c)
        assert "14 Acacia Avenue, Bristol" in body, params
    jp = "東京都港区芝公園4-2-8"
    c = extract_content(_single(b'charset="iso-2022-jp"', b"7bit", jp.encode("iso2022_jp")))
    assert jp in _text(c)


def test_lenient_base64_and_qp() -> None:
    broken_b64 = base64.b64encode(b"7 Mill Road, Leeds LS1 1AA")[:-2] + b"\r\n!!"
    c = extract_content(_single(b"charset=utf-8", b"base64", broken_b64))
    assert "7 Mill Road" in _text(c)
    c = extract_content(_single(b"charset=utf-8", b"quoted-printable", b"7 Mill=\r\n Road =3D soft=ZZ"))
    assert "7 Mill Road" in _text(c)


def test_uuencoded_attachment_in_body() -> None:
    import binascii

    data = b"name,address\nAnn,9 Uu Street\n"
    lines = [binascii.b2a_uu(data[i : i + 45]).decode() for i in range(0, len(data), 45)]
    body = "See attached\n\nbegin 644 list.csv\n" + "".join(lines) + "`\nend\n"
    c = extract_content(message(body))
    assert any(s.text == "Ann | 9 Uu Street" for s in c.segments)
    assert "begin 644" not in _text(c)
    assert [a.filename for a in c.attachments] == ["list.csv"]


def test_inline_pgp_is_encrypted() -> None:
    c = extract_content(message("-----BEGIN PGP MESSAGE-----\nhQEMA...\n-----END PGP MESSAGE-----\n"))
    assert [u.reason for u in c.unscanned] == [UnscannedReason.ENCRYPTED]


def _with_picture(size: int, disposition: str, filename: str | None) -> bytes:
    """An Outlook-style HTML mail whose picture is a multipart/related part with a Content-ID."""
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@dept.example.gov.uk", "b@example.org", "s"
    msg.set_content("Kind regards")
    msg.add_alternative('<p>Kind regards</p><img src="cid:image001.png@01DA">', subtype="html")
    html = msg.get_payload()[1]
    html.add_related(b"\x89PNG\r\n\x1a\n" + b"\0" * size, "image", "png", cid="<image001.png@01DA>",
                     filename=filename, disposition=disposition)
    return msg.as_bytes(policy=SMTP)


def test_named_signature_logo_is_not_an_unreadable_part() -> None:
    # Outlook, Gmail and Thunderbird name inline pictures (image001.png): a logo must not fail closed
    assert extract_content(_with_picture(2_000, "inline", "image001.png")).unscanned == []
    assert extract_content(_with_picture(2_000, "inline", None)).unscanned == []


def test_big_or_attached_pictures_still_fail_closed() -> None:
    big = extract_content(_with_picture(600_000, "inline", "scan of letter.png")).unscanned
    attached = extract_content(_with_picture(2_000, "attachment", "image001.png")).unscanned
    assert [u.reason for u in big] == [UnscannedReason.UNKNOWN_FORMAT]
    assert [u.reason for u in attached] == [UnscannedReason.UNKNOWN_FORMAT]
