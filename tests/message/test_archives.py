"""Archives and attached messages, nested."""

from __future__ import annotations

import gzip
import io
import tarfile

from mailguard.message import extract_content
from mailguard.message.model import UnscannedReason

from .builders import docx, message, w_table, zip_of


def _rows(content) -> list[tuple[str, str]]:
    return [(s.where, s.text) for s in content.segments]


def test_nested_zip_with_docx_in_attached_message() -> None:
    inner_docx = docx(w_table([["a", "b"], ["c", "d"], ["14", "Acacia Avenue | Bristol"]]))
    bundle = zip_of({"bundle/assessment.docx": inner_docx, "bundle/inner.zip": zip_of({"deep.txt": "7 Deep Road"})})
    attached = message("forwarded", subject="Fwd", to="x@partner.org",
                       attachments=[("appeal-bundle.zip", bundle, "application/zip")])
    c = extract_content(message("see below", attachments=[("fwd.eml", attached, "message/rfc822")]))
    at = 'attached message "fwd.eml" › attachment "appeal-bundle.zip"'
    assert (f'{at} › "bundle/assessment.docx" › table 1, row 3', "14 | Acacia Avenue | Bristol") in _rows(c)
    assert (f'{at} › "bundle/inner.zip" › "deep.txt"', "7 Deep Road") in _rows(c)
    assert any(a.address == "x@partner.org" and a.where == 'attached message "fwd.eml" › To' for a in c.addresses)
    names = [a.filename for a in c.attachments]
    assert names == ["fwd.eml", "appeal-bundle.zip", "bundle/assessment.docx", "bundle/inner.zip", "deep.txt"]
    assert c.unscanned == []


def test_eml_as_octet_stream() -> None:
    attached = message("inner body 3 Inner Road", subject="Inner")
    c = extract_content(message("x", attachments=[("old.eml", attached, "application/octet-stream")]))
    assert ('attachment "old.eml" › body (text/plain)', "inner body 3 Inner Road") in _rows(c)


def test_tar_gz_and_gz() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = b"name,address\nAnn,2 Tar Road\n"
        info = tarfile.TarInfo("export/list.csv")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    c = extract_content(message("x", attachments=[("export.tar.gz", buf.getvalue(), "application/gzip")]))
    assert any(w.endswith('"export/list.csv" › row 2') and t == "Ann | 2 Tar Road" for w, t in _rows(c))
    c = extract_content(message("x", attachments=[("notes.txt.gz", gzip.compress(b"1 Gz Road"), "application/gzip")]))
    assert any(t == "1 Gz Road" for _, t in _rows(c))


def test_encrypted_zip_member() -> None:
    data = bytearray(zip_of({"secret.txt": "x" * 100}))
    # set the "encrypted" flag bit in the local header and the central directory
    data[6] |= 1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    c = extract_content(message("x", attachments=[("s.zip", bytes(data), "application/zip")]))
    expected = [('attachment "s.zip" › "secret.txt"', UnscannedReason.ENCRYPTED)]
    assert [(u.where, u.reason) for u in c.unscanned] == expected
