"""Hypothesis strategies for hostile MIME: random trees of parts (nesting, attached messages,
archives, documents), charsets and transfer encodings (valid and broken), broken or duplicate
boundaries, header junk and truncation. Shared by tests/redteam/test_fuzz_pipeline.py (short
runs) and fuzz/fuzz_pipeline.py (long runs)."""

from __future__ import annotations

import base64
import io
import quopri
import zipfile

from hypothesis import strategies as st

ADDRESS = "14 Acacia Avenue, Bristol BS1 4AB"
CHARSETS = ["utf-8", "utf-16", "utf-16le", "utf-32", "iso-8859-1", "cp1252", "koi8-r", "shift_jis",
            "utf-7", "cp500", "x-unknown-charset", "", "us-ascii"]  # fmt: skip
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "binary", "bogus"]
LEAF_TYPES = ["text/plain", "text/html", "text/calendar", "text/csv", "application/octet-stream",
              "application/pdf", "application/zip", "application/msword", "message/rfc822",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/png"]  # fmt: skip
MULTI_TYPES = ["mixed", "alternative", "related", "signed", "encrypted", "report", "digest"]

texts = st.one_of(
    st.text(max_size=200),
    st.sampled_from([ADDRESS, f"<p>{ADDRESS}</p>", "1<!-- -->4 Acacia Avenue BS1 4AB", "\u200b".join(ADDRESS)]),
    st.builds(lambda a, b: a + ADDRESS + b, st.text(max_size=40), st.text(max_size=40)),
)


def _encode_text(text: str, charset: str) -> bytes:
    try:
        return text.encode(charset or "utf-8", errors="replace")
    except LookupError:
        return text.encode("utf-8", errors="surrogatepass")


def _transfer(data: bytes, cte: str, broken: bool) -> bytes:
    if cte == "base64":
        out = base64.encodebytes(data).replace(b"\n", b"\r\n")
        return out[: len(out) // 2] + b"!!**" + out[len(out) // 2 :] if broken else out
    if cte == "quoted-printable":
        out = quopri.encodestring(data)
        return out + b"=Z" if broken else out
    if cte == "x-uuencode":
        return b"begin 644 f.txt\r\n" + (b"M" + data[:60].hex().encode() if broken else b"") + b"\r\nend\r\n"
    return data


def _zip(members: list[tuple[str, bytes]], broken: bool) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name or "_", data)  # Python 3.11's zipfile refuses an empty member name
    out = buf.getvalue()
    return out[: len(out) * 2 // 3] if broken else out


@st.composite
def leaf(draw: st.DrawFn) -> bytes:
    ctype = draw(st.sampled_from(LEAF_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(ENCODINGS))
    broken = draw(st.booleans())
    text = draw(texts)
    if ctype == "application/zip":
        inner = [
            (
                draw(st.sampled_from(["a.txt", "b.eml", "c.zip", "d.docx", "../e.txt", ""])),
                _encode_text(text, "utf-8"),
            )
        ]
        if draw(st.booleans()):
            inner.append(("nested.zip", _zip(inner, False)))
        body = _zip(inner, broken)
    elif ctype == "text/calendar":
        body = (f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nLOCATION:{text}\r\n"
                f"ATTENDEE:mailto:a@gmail.com\r\nATTENDEE;CN=x:mailto:b@outlook.com\r\n"
                + ("" if broken else "END:VEVENT\r\nEND:VCALENDAR\r\n")).encode(errors="replace")  # fmt: skip
    elif ctype == "message/rfc822":
        body = b"From: a@b\r\nTo: c@gmail.com, d@outlook.com\r\nSubject: x\r\n\r\n" + _encode_text(text, "utf-8")
    elif ctype.startswith("text/"):
        body = _encode_text(text, charset)
    else:
        body = draw(st.one_of(st.binary(max_size=300), st.just(_encode_text(text, "utf-8"))))
    params = f'; charset="{charset}"' if charset and ctype.startswith("text/") else ""
    name = draw(st.one_of(st.none(), st.sampled_from(
        ['"a.pdf"', "x.docx", "=?utf-8?q?R=C3=A9sum=C3=A9?=.zip", '"\u00e9t\u00e9.txt"', '""']
    )))  # fmt: skip
    disp = ""
    if name is not None:
        disp = draw(st.sampled_from([
            f"Content-Disposition: attachment; filename={name}\r\n",
            "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.txt\r\n",
            "Content-Disposition: attachment; filename*0=\"a\"; filename*1=\"b.zip\"\r\n",
            "Content-Disposition: attachment; filename*=bogus''%ZZ\r\n",
        ]))  # fmt: skip
    head = f"Content-Type: {ctype}{params}\r\nContent-Transfer-Encoding: {cte}\r\n{disp}"
    return head.encode(errors="replace") + b"\r\n" + _transfer(body, cte, broken)


def _multipart(children: list[bytes], subtype: str, boundary: str, mode: str) -> bytes:
    ctype = f'Content-Type: multipart/{subtype}; boundary="{boundary}"'
    if mode == "duplicate_boundary":
        ctype += '; boundary="other"'
    out = [ctype.encode(), b"\r\n\r\npreamble\r\n"]
    for child in children:
        out += [f"--{boundary}\r\n".encode(), child, b"\r\n"]
    if mode == "wrong_boundary":
        out[2:2] = [b"--not-the-boundary\r\n"]
    if mode != "no_close":
        out.append(f"--{boundary}--\r\nepilogue\r\n".encode())
    return b"".join(out)


@st.composite
def mime_tree(draw: st.DrawFn, depth: int = 0) -> bytes:
    if depth >= 4 or draw(st.integers(0, 3)) == 0:
        return draw(leaf())
    children = [draw(mime_tree(depth=depth + 1)) for _ in range(draw(st.sampled_from([1, 1, 2, 2, 3, 0])))]
    if draw(st.integers(0, 5)) == 0:  # a whole message attached, with this subtree inside
        inner = b"From: x@y\r\nTo: a@gmail.com\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n" + (
            children[0] if children else draw(leaf())
        )
        return b"Content-Type: message/rfc822\r\n\r\n" + inner
    boundary = draw(st.sampled_from(["b", "==b==", "b1", "x" * 70, "a b", "", "--"]))
    mode = draw(st.sampled_from(["ok"] * 6 + ["no_close", "wrong_boundary", "duplicate_boundary"]))
    return _multipart(children, draw(st.sampled_from(MULTI_TYPES)), boundary, mode)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    headers = (
        "From: caseworker@dept.example.gov.uk\r\n"
        + draw(
            st.sampled_from(
                [
                    "To: ex.partner@gmail.com\r\n",
                    "To: ex.partner@gmail.com, b@outlook.com\r\nCc: =?utf-8?b?w6k=?= <c@yahoo.co.uk>\r\n",
                    "To: undisclosed-recipients:;\r\n",
                    "To: Group: a@gmail.com, b@gmail.com;\r\n",
                    'To: "unterminated <a@gmail.com\r\n',
                    "To: a@gmail.com\r\nTo: b@gmail.com\r\n",
                    "",
                ]
            )
        )
        + "Subject: "
        + draw(st.text(max_size=60)).replace("\r", " ").replace("\n", " ")
        + "\r\n"
        + "MIME-Version: 1.0\r\n"
    )
    junk = draw(
        st.sampled_from(["", "", "", "X-Junk: \x00\x01\r\n", "Bad Header Line\r\n", "X-Long: " + "a" * 2000 + "\r\n"])
    )
    data = headers.encode(errors="replace") + junk.encode() + draw(mime_tree())
    if draw(st.integers(0, 4)) == 0:  # truncated in transit
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.integers(0, 6)) == 0:  # bare line ends
        data = data.replace(b"\r\n", b"\n")
    return data
