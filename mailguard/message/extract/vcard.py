"""vCard (.vcf, text/vcard, text/x-vcard; versions 2.1, 3.0 and 4.0), several cards per file:
the postal address (ADR, LABEL and ADR's LABEL= parameter) and the other readable properties
(FN, N, ORG, TITLE, NOTE, TEL, EMAIL) as FIELD segments at `card N › ADR`, EMAIL addresses
listed. Lines are unfolded (RFC 6350 §3.2), vCard 2.1 quoted-printable values (soft line
breaks included) decoded in their CHARSET, and the RFC 6350 escapes (`\\n`, `\\,`, `\\;`,
`\\\\`) undone. One pass over the lines: linear in the file's size."""

from __future__ import annotations

import quopri
import re

from mailguard.message.extract.sink import Path, Sink
from mailguard.message.model import SegmentKind

_READ = ("ADR", "LABEL", "FN", "N", "ORG", "TITLE", "NOTE", "TEL", "EMAIL", "NICKNAME")
_STRUCTURED = ("ADR", "N", "ORG")  # `;` separates components: read as ", "
_FOLD = re.compile(r"\r?\n[ \t]")
_QP_SOFT = re.compile(r"=\r?\n")
_PARAM = re.compile(r';([A-Za-z0-9-]+)(?:=("[^"]*"|[^;:]*))?')
_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {"n": "\n", "N": "\n"}


def _unescape(value: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)


def _components(value: str) -> list[str]:
    """Split a structured value on unescaped `;` (each component unescaped)."""
    out, current, i = [], [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            current.append(value[i:i + 2])
            i += 2
            continue
        if ch == ";":
            out.append(_unescape("".join(current)))
            current = []
        else:
            current.append(ch)
        i += 1
    out.append(_unescape("".join(current)))
    return out


def _lines(text: str) -> list[str]:
    """Unfolded logical lines; a quoted-printable value's soft line breaks joined first."""
    lines: list[str] = []
    pending = ""
    for line in _FOLD.sub("", text).splitlines():
        if pending:
            line, pending = pending + line, ""
        head = line.split(":", 1)[0].upper()
        if "QUOTED-PRINTABLE" in head and line.endswith("="):
            pending = line[:-1]
            continue
        lines.append(line)
    if pending:
        lines.append(pending)
    return lines


def _decode_qp(value: str, charset: str) -> str:
    raw = quopri.decodestring(_QP_SOFT.sub("", value).encode("latin-1", "replace"))
    try:
        return raw.decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return raw.decode("latin-1")


def extract_vcard(sink: Sink, text: str, path: Path) -> None:
    """The cards in `text`; a file named or typed as a vCard that holds none is read as text."""
    if "BEGIN:VCARD" not in text.upper():
        sink.text(path, text)
        return
    card = 0
    for line in _lines(text):
        name_part, colon, value = line.partition(":")
        if not colon:
            continue
        name, _, params_text = name_part.partition(";")
        name = name.rsplit(".", 1)[-1].strip().upper()  # "item1.ADR" (Apple's groups)
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            card += 1
            continue
        if name not in _READ:
            continue
        params = {k.upper(): (v or "").strip('"') for k, v in _PARAM.findall(";" + params_text)}
        if params.get("ENCODING", "").upper() in ("QUOTED-PRINTABLE", "Q") or "QUOTED-PRINTABLE" in params:
            value = _decode_qp(value, params.get("CHARSET", ""))
        here = (*path, f"card {max(card, 1)}", name)
        if name in _STRUCTURED:
            text_value = ", ".join(c.strip() for c in _components(value) if c.strip())
        else:
            text_value = _unescape(value)
        sink.text(here, text_value, SegmentKind.FIELD)  # an EMAIL's address is listed by the sink
        if name == "ADR" and params.get("LABEL"):  # vCard 4: the formatted label as a parameter
            sink.text((*path, f"card {max(card, 1)}", "ADR label"), _unescape(params["LABEL"]), SegmentKind.FIELD)

