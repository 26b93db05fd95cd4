"""Hostile input: every case returns within its bound, with an unscanned reason, in bounded memory."""

from __future__ import annotations

import time
import zlib
from email.message import EmailMessage

import pytest

from mailguard.message import extract_content
from mailguard.message.extract.bounds import ExtractLimits
from mailguard.message.model import Content, UnscannedReason
from mailguard.message.pool import ExtractionPool

from .builders import docx, message, odt, pdf, pptx, w_p, xlsx, zip_of

BOUND = 10.0  # seconds; generous for a shared 2-core CI machine, the point is "not unbounded"


def _timed(data: bytes, limits: ExtractLimits | None = None) -> Content:
    start = time.monotonic()
    content = extract_content(data, limits)
    assert time.monotonic() - start < BOUND
    return content


def _reasons(content: Content) -> set[UnscannedReason]:
    return {u.reason for u in content.unscanned}


def _attach(name: str, data: bytes) -> bytes:
    return message("x", attachments=[(name, data, "application/octet-stream")])


def zip_bomb() -> bytes:
    return zip_of({"zeros.bin": b"\0" * (50 * 1024 * 1024)})


def billion_laughs_docx() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(10)
    )
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    return zip_of({"word/document.xml": doc})


@pytest.fixture(scope="session")
def pdf_bomb() -> bytes:
    """A one-page PDF whose content stream inflates to 1 GB."""
    co = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    stream = b"".join(co.compress(chunk) for _ in range(1024)) + co.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_zip_bomb() -> None:
    c = _timed(_attach("bomb.zip", zip_bomb()))
    assert [(u.where, u.reason) for u in c.unscanned] == [
        ('attachment "bomb.zip" › "zeros.bin"', UnscannedReason.TOO_LARGE)
    ]


def test_xlsx_bomb_is_refused_before_calamine() -> None:
    bomb = zip_of({"xl/workbook.xml": "<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (50 * 1024 * 1024)})
    assert _reasons(_timed(_attach("bomb.xlsx", bomb))) == {UnscannedReason.TOO_LARGE}


def test_billion_laughs_docx() -> None:
    c = _timed(_attach("laughs.docx", billion_laughs_docx()))
    assert _reasons(c) == {UnscannedReason.CORRUPT}
    assert "lollollol" not in "".join(s.text for s in c.segments)


def test_pdf_flate_bomb(pdf_bomb: bytes) -> None:
    c = _timed(_attach("bomb.pdf", pdf_bomb))
    assert _reasons(c) == {UnscannedReason.TOO_LARGE}


def test_encrypted_pdf() -> None:
    c = _timed(_attach("locked.pdf", pdf(["14 Acacia Avenue"], password="secret")))
    assert [(u.where, u.reason) for u in c.unscanned] == [('attachment "locked.pdf"', UnscannedReason.ENCRYPTED)]


def test_pdf_with_empty_user_password_is_read() -> None:
    c = _timed(_attach("open.pdf", pdf(["14 Acacia Avenue"], password="")))
    assert c.unscanned == [] and any("14 Acacia Avenue" in s.text for s in c.segments)


def _valid_files() -> dict[str, bytes]:
    import gzip

    return {
        "a.pdf": pdf(["Page one 14 Acacia Avenue"] * 3),
        "a.docx": docx(w_p("Hello 14 Acacia Avenue") * 50),
        "a.xlsx": xlsx({"S": [["14", "Acacia Avenue"]] * 50}),
        "a.pptx": pptx(["slide 14 Acacia Avenue"] * 5),
        "a.odt": odt(w_p("x") and "<text:p>14 Acacia Avenue</text:p>" * 50),
        "a.zip": zip_of({"x.txt": "14 Acacia Avenue" * 100}),
        "a.gz": gzip.compress(b"14 Acacia Avenue" * 100),
        "a.rtf": rb"{\rtf1\ansi " + b"14 Acacia Avenue\\par " * 50 + b"}",
        "a.ics": b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nLOCATION:14 Acacia Avenue\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "a.eml": message("14 Acacia Avenue", attachments=[("b.docx", docx(w_p("x")), "application/octet-stream")]),
    }


@pytest.mark.parametrize("name", sorted(_valid_files()))
def test_truncated_files(name: str) -> None:
    data = _valid_files()[name]
    for cut in (len(data) // 2, len(data) - 7, 40):
        c = _timed(_attach(name, data[:cut]))
        for u in c.unscanned:  # whatever is unreadable is said, never a crash of the whole message
            assert u.where != "message", u


def _nested_multipart(levels: int) -> bytes:
    inner = EmailMessage()
    inner.set_content("deep 14 Acacia Avenue")
    for _ in range(levels):
        outer = EmailMessage()
        outer.make_mixed()
        outer.attach(inner)
        inner = outer
    inner["To"] = "a@a.org"
    return inner.as_bytes()


def test_fifty_level_mime_nesting() -> None:
    c = _timed(_nested_multipart(50))
    assert _reasons(c) == {UnscannedReason.TOO_DEEP}
    assert any(a.address == "a@a.org" for a in c.addresses)


def test_fifty_level_attached_messages_and_zips() -> None:
    msg = EmailMessage()
    msg.set_content("core")
    for level in range(50):
        outer = EmailMessage()
        outer.set_content(f"level {level}")
        outer.add_attachment(msg)
        msg = outer
    assert UnscannedReason.TOO_DEEP in _reasons(_timed(msg.as_bytes()))
    blob = b"core"
    for level in range(50):
        blob = zip_of({f"z{level}.zip": blob})
    assert _reasons(_timed(_attach("nest.zip", blob))) == {UnscannedReason.TOO_DEEP}


def test_ten_thousand_parts() -> None:
    parts = "".join(f"--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(10_000))
    raw = f"To: a@a.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n{parts}--b--\r\n".encode()
    c = _timed(raw)
    assert ("message", UnscannedReason.TOO_LARGE) in {(u.where, u.reason) for u in c.unscanned}


def test_text_limit() -> None:
    c = _timed(message("word " * 50_000), ExtractLimits(max_text=10_000))
    assert c.text_size() <= 10_000
    assert ("message", UnscannedReason.TOO_LARGE) in {(u.where, u.reason) for u in c.unscanned}


def test_never_raises_on_garbage() -> None:
    for data in (b"", b"\0" * 1000, b"\xff\xfe" * 500, b"Content-Type: multipart/mixed\r\n\r\n--", bytes(range(256))):
        _timed(data)


async def test_hostile_set_in_pool_stays_within_memory(pdf_bomb: bytes) -> None:
    """Under a 768 MB address-space limit every hostile case is answered with its own reason, not
    the memory-limit timeout: memory stays bounded."""
    cases = [
        _attach("bomb.zip", zip_bomb()),
        _attach("laughs.docx", billion_laughs_docx()),
        _attach("bomb.pdf", pdf_bomb),
        _nested_multipart(50),
    ]
    async with ExtractionPool(ExtractLimits(memory_mb=768, timeout=30), 2) as pool:
        for data in cases:
            content = await pool.extract(data)
            assert content.unscanned
            assert all(u.reason is not UnscannedReason.TIMEOUT for u in content.unscanned), content.unscanned
