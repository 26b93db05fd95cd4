"""DLP evasion (issue 7): the same protected address hidden by encodings, HTML tricks, document
structure, archives, attached messages and homoglyphs. Sent to a flagged recipient, each one
must hold -- found as a protected mention, or reported unscanned (which holds, fail closed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corpora.builders import b64, zip_of
from mailguard.envelope import Envelope
from mailguard.policy.scanner import Scanner
from mailguard.policy.verdict import Action, Verdict

from .conftest import Scan, redteam_settings
from .mail import (
    ADDRESS,
    DOCX_TYPE,
    FLAGGED,
    SENDER,
    attached_message,
    docx,
    eml,
    homoglyphs,
    multipart,
    qp_all,
    qp_latin1,
    raw,
    rfc2047_b,
    w_p,
)

NUMBER, STREET, TOWN, POSTCODE = "14", "Acacia Avenue", "Bristol", "BS1 4AB"
TEXT = f"Dear colleague,\n\nThe family now lives at {ADDRESS}.\n\nRegards\n"


def _html(inner: str) -> bytes:
    return eml(None, html=f"<html><body><p>Update.</p><p>{inner}</p></body></html>")


def _split_runs() -> bytes:
    runs = "".join(f'<w:r><w:t xml:space="preserve">{ch}</w:t></w:r>' for ch in ADDRESS)
    return eml(attachments=[("a.docx", docx(f"<w:p>{runs}</w:p>"), DOCX_TYPE)])


def _cells() -> bytes:
    cells = "".join(f"<w:tc>{w_p(c)}</w:tc>" for c in (NUMBER, STREET, TOWN, POSTCODE))
    return eml(attachments=[("a.docx", docx(f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>"), DOCX_TYPE)])


def _deleted() -> bytes:
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Address: </w:t></w:r><w:del w:id="1" w:author="x">'
        f"<w:r><w:delText>{ADDRESS}</w:delText></w:r></w:del></w:p>"
    )
    return eml(attachments=[("a.docx", docx(body), DOCX_TYPE)])


def _header() -> bytes:
    return eml(attachments=[("a.docx", docx(w_p("Report"), {"word/header1.xml": w_p(ADDRESS)}), DOCX_TYPE)])


def _comment() -> bytes:
    part = f'<w:comment w:id="0" w:author="x">{w_p(ADDRESS)}</w:comment>'
    return eml(attachments=[("a.docx", docx(w_p("Report"), {"word/comments.xml": part}), DOCX_TYPE)])


def _rfc2231_name() -> bytes:
    headers = (
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9%20adresse.txt"
    )
    return multipart([("Content-Type: text/plain", b"See attached."), (headers, b64(TEXT.encode("utf-16")))])


def _rfc2231_continued_zip() -> bytes:
    headers = (
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename*0="case-"; filename*1="bundle.zip"'
    )
    body = b64(zip_of({"notes.txt": TEXT}))
    return multipart([("Content-Type: text/plain", b"See attached."), (headers, body)])


def _encrypted_zip() -> bytes:
    # A zip whose member claims traditional encryption (flag bit 0): unreadable, so unscanned.
    data = bytearray(zip_of({"secret.txt": TEXT}))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        flag = at + (6 if sig == b"PK\x03\x04" else 8)
        data[flag] |= 1
    return eml(attachments=[("secret.zip", bytes(data), "application/zip")])


CASES: dict[str, Callable[[], bytes]] = {
    # encodings
    "base64 utf-16": lambda: raw('text/plain; charset="utf-16"', "base64", b64(TEXT.encode("utf-16"))),
    "base64 utf-16le": lambda: raw('text/plain; charset="utf-16le"', "base64", b64(TEXT.encode("utf-16-le"))),
    "base64 utf-32": lambda: raw('text/plain; charset="utf-32"', "base64", b64(TEXT.encode("utf-32"))),
    "base64 ebcdic cp500": lambda: raw('text/plain; charset="cp500"', "base64", b64(TEXT.encode("cp500"))),
    "qp iso-8859-1": lambda: raw('text/plain; charset="iso-8859-1"', "quoted-printable", qp_latin1("Café: " + TEXT)),
    "qp every byte": lambda: raw('text/plain; charset="us-ascii"', "quoted-printable", qp_all(TEXT)),
    "utf-7": lambda: raw('text/plain; charset="utf-7"', "7bit", TEXT.encode("utf-7")),
    "html in utf-16 base64": lambda: raw(
        'text/html; charset="utf-16"', "base64", b64(f"<p>{ADDRESS}</p>".encode("utf-16"))
    ),
    "rfc2047 subject": lambda: raw("text/plain", "7bit", b"See subject.", subject=rfc2047_b(ADDRESS)),
    "rfc2231 filename, utf-16 text": _rfc2231_name,
    "rfc2231 continued filename, zip": _rfc2231_continued_zip,
    # HTML tricks
    "decimal entities": lambda: _html("".join(f"&#{ord(c)};" for c in ADDRESS)),
    "hex entities": lambda: _html("".join(f"&#x{ord(c):x};" for c in ADDRESS)),
    "comment inside number": lambda: _html(f"1<!-- -->4 {STREET}, {TOWN} {POSTCODE}"),
    "comment inside street": lambda: _html(f"{NUMBER} Aca<!-- x -->cia Avenue, {TOWN} {POSTCODE}"),
    "zero-width between chars": lambda: _html("\u200b".join(ADDRESS)),
    "zero-width joiner in number": lambda: _html(f"1\u200d4 {STREET}, {TOWN} {POSTCODE}"),
    "soft hyphen in street": lambda: _html(f"{NUMBER} Aca\u00adcia Avenue, {TOWN} {POSTCODE}"),
    "display:none": lambda: _html(f'<span style="display:none">{ADDRESS}</span>'),
    "white 1px text": lambda: _html(f'<span style="color:#fff;font-size:1px">{ADDRESS}</span>'),
    "span per char": lambda: _html("".join(f"<span>{c}</span>" for c in ADDRESS)),
    "wbr inside words": lambda: _html(f"1<wbr>4 Aca<wbr>cia Ave<wbr>nue, {TOWN} {POSTCODE}"),
    "nbsp entities": lambda: _html(ADDRESS.replace(" ", "&nbsp;")),
    "fullwidth digits": lambda: _html(f"１４ {STREET}, {TOWN} {POSTCODE}"),
    # documents
    "docx one run per char": _split_runs,
    "docx table cells": _cells,
    "docx tracked deletion": _deleted,
    "docx header": _header,
    "docx comment": _comment,
    # archives and attached messages
    "zip in zip in zip": lambda: eml(
        attachments=[("o.zip", zip_of({"m.zip": zip_of({"i.zip": zip_of({"a.txt": TEXT})})}), "application/zip")]
    ),
    "docx in zip": lambda: eml(attachments=[("o.zip", zip_of({"r.docx": docx(w_p(ADDRESS))}), "application/zip")]),
    "zip named .dat": lambda: eml(attachments=[("x.dat", zip_of({"a.txt": TEXT}), "application/octet-stream")]),
    "encrypted zip": _encrypted_zip,
    "attached message": lambda: attached_message(eml(TEXT, to="someone@dept.example.gov.uk")),
    "attached message, twice": lambda: attached_message(attached_message(eml(TEXT))),
    "eml inside zip": lambda: eml(attachments=[("m.zip", zip_of({"fwd.eml": eml(TEXT)}), "application/zip")]),
    "eml as octet-stream": lambda: eml(attachments=[("fwd.eml", eml(TEXT), "application/octet-stream")]),
    # homoglyphs
    "cyrillic a/e/o in street": lambda: eml(f"Now at {NUMBER} {homoglyphs(STREET)}, {TOWN} {POSTCODE}."),
    "cyrillic in street, no postcode": lambda: eml(f"Now at {NUMBER} {homoglyphs(STREET)}, {TOWN}."),
    "greek omicron in town": lambda: eml(f"Now at {NUMBER} {STREET}, Bristοl."),
}


def _held(v: Verdict) -> bool:
    return v.action is Action.HOLD and any(r.detector in ("protected", "unscannable") for r in v.reasons)


@pytest.mark.parametrize("name", sorted(CASES))
async def test_hidden_address_is_held(scan: Scan, name: str) -> None:
    v = await scan(CASES[name]())
    assert _held(v), (name, v.as_json())


async def test_the_same_cases_pass_to_an_unflagged_recipient(scan: Scan) -> None:
    """The holds above are about the flagged recipient, not noise in the encodings."""
    for name in ("base64 utf-16", "zip in zip in zip", "cyrillic a/e/o in street", "docx table cells"):
        v = await scan(CASES[name](), rcpt=("someone.else@example.org",))
        assert v.action is Action.PASS, (name, v.as_json())


async def test_real_worker_pool_agrees(tmp_path: Path) -> None:
    """The relay's path: the extraction worker pool, not the in-process shortcut."""
    scanner = await Scanner.from_settings(redteam_settings(tmp_path))
    try:
        for name in (
            "base64 utf-16",
            "docx one run per char",
            "zip in zip in zip",
            "attached message, twice",
        ):
            v = await scanner(Envelope(SENDER, (FLAGGED,)), CASES[name]())
            assert _held(v), (name, v.as_json())
    finally:
        await scanner.aclose()
