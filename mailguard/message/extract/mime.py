"""The MIME walk: headers (To/Cc strictly parsed), bodies in any charset, attachments handed
to the document dispatcher, attached messages recursively, and the ambiguities that let a
scanner and a mail client see different parts reported as `ambiguous_mime`."""

from __future__ import annotations

import base64
import email.utils
import quopri
import re
import secrets
from email import errors
from email.message import EmailMessage, Message
from email.parser import BytesParser

from mailguard.message.extract.addresses import header_addresses
from mailguard.message.extract.calendar import extract_calendar
from mailguard.message.extract.charset import decode, split_uuencoded
from mailguard.message.extract.header_policy import POLICY
from mailguard.message.extract.html import extract_html
from mailguard.message.extract.sink import PartFailed, Path, Sink, Stop, readable_name
from mailguard.message.model import AddressSource, SegmentKind, UnscannedReason

_PARSER = BytesParser(policy=POLICY)
# defects after which the parsed tree may hold fewer (or other) parts than a client shows
_HIDING_DEFECTS = (
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.NoBoundaryInMultipartDefect,
    errors.InvalidMultipartContentTransferEncodingDefect,
    errors.MissingHeaderBodySeparatorDefect,
)
_BOUNDARY_PARAM = re.compile(r"(?:^|;)\s*boundary(?:\*0)?\*?\s*=", re.I)
_BODY_TYPES = ("text/plain", "text/html", "text/enriched", "text/richtext")
_PGP_BLOCK = "-----BEGIN PGP MESSAGE-----"


# A run of long lines of nothing but base64 characters. `email`'s parser spends about a
# microsecond of Python on every line (a 10 MB attachment is 140,000 lines), yet such a line
# can never be a header, a header continuation, a blank line or a boundary (those start with
# "--"), so it never changes the tree: each run is folded into one placeholder line before
# parsing and put back, byte for byte, in the parsed tree (see `parse`). The possessive
# quantifier and the `^` keep the search linear on hostile input.
_BASE64_RUN = re.compile(rb"(?m)^(?:[A-Za-z0-9+/=]{60,998}+\r?\n){64,}")
# A header value with nothing a header object would decode or drop: printable ASCII without
# encoded words (=?), comments, quoted strings or escapes.
_PLAIN_TEXT = re.compile(r"(?:(?!=\?)[ \t\r\n!#-'*-\[\]-~])*")
_PLAIN = {  # a message id is parsed: only one of a single id-left@id-right reads as it is
    "message-id": re.compile(r"[ \t]*<[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                             r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>[ \t]*"),
}
# A placeholder: the parse's nonce, then the run's number (one pattern for every nonce: a
# pattern per message would be compiled afresh for each one).
_PLACEHOLDER = re.compile(r"\x00mailguard-([0-9a-f]{16})\.(\d+)\x00")


def parse(data: bytes) -> EmailMessage:
    """`email`'s parse of `data` (policy.default), with long base64 runs folded for speed: the
    tree, its payloads, preambles, epilogues and defects are the same as without folding."""
    runs: list[str] = []
    nonce = secrets.token_hex(8)
    marker = b"\x00mailguard-" + nonce.encode() + b"."
    pieces: list[bytes] = []
    pos = 0
    if marker not in data:  # (always, unless the sender guessed a 64-bit nonce)
        for match in _BASE64_RUN.finditer(data):
            start, end = match.span()
            end -= 2 if data[end - 2:end - 1] == b"\r" else 1  # the last line end stays in place
            pieces += (data[pos:start], marker, b"%d\x00" % len(runs))
            runs.append(data[start:end].decode("ascii"))
            pos = end
    if not runs:
        return _PARSER.parsebytes(data)  # type: ignore[return-value]
    pieces.append(data[pos:])
    msg: EmailMessage = _PARSER.parsebytes(b"".join(pieces))  # type: ignore[assignment]
    _unfold(msg, nonce, runs)
    return msg


def _unfold(msg: Message, nonce: str, runs: list[str]) -> None:
    """Put the folded runs back wherever the parser left their placeholders: leaf payloads
    (`_payload` is where `email` keeps the raw text; its own generator reads it there too),
    preambles and epilogues. No header can hold one: a placeholder line is never a header."""
    def put_back(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: runs[int(m.group(2))] if m.group(1) == nonce else m.group(), text)

    for part in msg.walk():
        payload = part._payload
        if isinstance(payload, str) and "\x00" in payload:
            part._payload = put_back(payload)
        for name in ("preamble", "epilogue"):
            text = getattr(part, name)
            if isinstance(text, str) and "\x00" in text:
                setattr(part, name, put_back(text))


def ambiguity(part: Message) -> str:
    """Why a client might read this part's structure differently from us ("" if it would not)."""
    counts: dict[str, int] = {}
    boundary_params = 0
    for name, value in part.raw_items():
        key = name.lower()
        counts[key] = counts.get(key, 0) + 1
        if key == "content-type":
            boundary_params += len(_BOUNDARY_PARAM.findall(re.sub(r'"[^"]*"', '""', str(value))))
    for header in ("content-type", "content-transfer-encoding", "content-disposition"):
        if counts.get(header, 0) > 1:
            return f"duplicate {header} header"
    if boundary_params > 1:
        return "duplicate boundary parameter"
    for defect in part.defects:
        if isinstance(defect, _HIDING_DEFECTS):
            return f"parser defect: {type(defect).__name__}"
    return ""


# Headers whose addresses and display names a reader sees. Of the outer message, To/Cc and
# Resent-To/Cc are recipients (TO/CC/RESENT_*); From and Reply-To only have their display
# names read. Of an attached message, every address is one a reader can see (LISTED).
_ADDRESS_HEADERS = ("from", "reply-to", "to", "cc", "resent-from", "resent-to", "resent-cc")
_TOP_SOURCES = {
    "to": AddressSource.TO, "cc": AddressSource.CC,
    "resent-to": AddressSource.RESENT_TO, "resent-cc": AddressSource.RESENT_CC,
}


def _header_text(msg: Message, name: str) -> str:
    raw = [v for k, v in msg.raw_items() if k.lower() == name]
    if raw and _PLAIN.get(name, _PLAIN_TEXT).fullmatch(raw[0]):  # what the header object says, at no cost
        return " ".join(raw[0].split())
    return _parsed_text(msg, name, raw)


def _parsed_text(msg: Message, name: str, raw: list[str]) -> str:
    """`_header_text` through `policy.default`'s header object (any form at all)."""
    try:
        value = msg.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except Exception:  # a header policy.default cannot parse (Python 3.11: "Message-ID: <>"): its raw form
        return " ".join(str(raw[0]).split()) if raw else ""


def read_headers(sink: Sink, msg: Message, path: Path, top: bool) -> None:
    """Subject, ids and visible recipients. Only the outer message's To/Cc are TO/CC; the
    recipients of an attached message are a list a reader can see (LISTED)."""
    subject = _header_text(msg, "subject")
    if top:
        sink.content.subject = subject
        sink.content.message_id = _header_text(msg, "message-id")
        senders = header_addresses(msg, "from")
        sink.content.from_address = senders[0][0] if senders else ""
    sink.text((*path, "subject"), subject, SegmentKind.FIELD)
    for name in _ADDRESS_HEADERS:
        label = "-".join(word.capitalize() for word in name.split("-"))
        source = _TOP_SOURCES.get(name) if top else None
        for address, display in header_addresses(msg, name):
            if source is not None or not top:
                sink.address(address, source or AddressSource.LISTED, (*path, label), display)
            if display.strip():  # every recipient reads a display name: a surface of its own
                sink.text((*path, f"display name in {label}"), display, SegmentKind.FIELD)


class Walker:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.bodies = 0

    def message(self, msg: Message, path: Path, depth: int, top: bool = False) -> None:
        read_headers(self.sink, msg, path, top)
        self.part(msg, path, depth, index="1")

    def part(self, part: Message, path: Path, depth: int, index: str) -> None:
        sink = self.sink
        here = path or ("message",)
        try:
            sink.enter(here, depth)
            why = ambiguity(part)
            if why:
                sink.unscanned((*path, f"part {index}") if path else (f"part {index}",),
                               UnscannedReason.AMBIGUOUS_MIME, why)
            ctype = part.get_content_type()
            if part.is_multipart():
                self.multipart(part, ctype, path, depth, index)
            else:
                self.leaf(part, ctype, path, depth, index)
        except PartFailed as exc:
            sink.unscanned(here, exc.reason, exc.detail)
        except Stop:
            raise
        except MemoryError:
            sink.unscanned(here, UnscannedReason.TOO_LARGE, "out of memory")
        except RecursionError:
            sink.unscanned(here, UnscannedReason.TOO_DEEP, "structure nested too deeply")
        except Exception as exc:
            sink.unscanned(here, UnscannedReason.CORRUPT, f"{type(exc).__name__} in MIME part")

    def multipart(self, part: Message, ctype: str, path: Path, depth: int, index: str) -> None:
        if ctype in ("message/partial", "message/external-body"):  # a fragment or a pointer: not here
            raise PartFailed(UnscannedReason.UNKNOWN_FORMAT, ctype)
        if ctype == "multipart/encrypted":
            raise PartFailed(UnscannedReason.ENCRYPTED, "multipart/encrypted")
        payload = part.get_payload()
        if ctype in ("message/rfc822", "message/global") or not ctype.startswith("multipart/"):
            # an attached message: the parser already read it into a sub-message
            sub = payload[0] if isinstance(payload, list) and payload else None
            if _encoded(part):  # a message sent base64- or QP-encoded (not allowed, but seen)
                sub = parse(_decoded_body(part))
            if sub is None:
                raise PartFailed(UnscannedReason.CORRUPT, "empty attached message")
            name = _filename(part) or _header_text(sub, "subject") or "message"
            sub_path = (*path, f'attached message "{name}"')
            self.sink.attachment(sub_path, name, ctype, _size(sub))
            self.message(sub, sub_path, depth + 1)
            return
        if not isinstance(payload, list):  # a multipart the parser could not split: read it as text
            self.leaf(part, "text/plain", path, depth, index)
            return
        for number, sub in enumerate(payload, 1):
            self.part(sub, path, depth + 1, f"{index}.{number}")

    def leaf(self, part: Message, ctype: str, path: Path, depth: int, index: str) -> None:
        sink = self.sink
        if ctype in ("message/partial", "message/external-body"):
            raise PartFailed(UnscannedReason.UNKNOWN_FORMAT, ctype)
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = str(part.get_payload()).encode("utf-8", "surrogateescape")
        sink.check_size(len(data), "MIME part")
        filename = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        charset = part.get_content_charset()
        if ctype == "text/calendar" and not filename:
            at = (*path, "calendar (text/calendar)")
            sink.attachment(at, "", ctype, len(data))  # a reviewer sees an invite's calendar part listed
            extract_calendar(sink, decode(data, charset), at)
            return
        if ctype in _BODY_TYPES and not filename and disposition != "attachment":
            self.body(data, ctype, charset, path, depth)
            return
        if _body_picture(part, ctype, disposition, filename, len(data)):
            return  # an inline picture of a signature or a logo: nothing to read, nothing to list
        name = filename or f"part {index}"
        at = (*path, f'attachment "{name}"')
        sink.attachment(at, name, ctype, len(data))
        other = _type_name(part)
        if other and other != filename:  # clients show one or the other: read both
            sink.text((*at, "name on Content-Type"), readable_name(other), SegmentKind.FIELD)
        if ctype == "text/calendar" or name.lower().endswith((".ics", ".vcs")):
            sink.content.has_calendar = True
        sink.document(data, name, ctype, at, depth + 1, charset=charset)

    def body(self, data: bytes, ctype: str, charset: str | None, path: Path, depth: int) -> None:
        self.bodies += 1
        label = f"body ({ctype})"
        at = (*path, label)
        text = decode(data, charset)
        if ctype == "text/html":
            extract_html(self.sink, text, at)
            return
        text, files = split_uuencoded(text)
        if _PGP_BLOCK in text:
            self.sink.unscanned(at, UnscannedReason.ENCRYPTED, "inline PGP message")
        self.sink.text(at, text)
        for name, content in files:
            sub = (*path, f'attachment "{name}"')
            self.sink.attachment(sub, name, "application/octet-stream", len(content))
            self.sink.document(content, name, "", sub, depth + 1)


# Outlook, Gmail and Thunderbird all name the pictures of a signature (image001.png) and mark
# them inline with a Content-ID; a named one is only a logo while small: a pasted photo or scan
# of a letter is bigger, stays an unreadable attachment and fails closed.
_LOGO_MAX = 256 * 1024


def _body_picture(part: Message, ctype: str, disposition: str, filename: str | None, size: int) -> bool:
    if not ctype.startswith("image/") or not part.get("content-id") or disposition == "attachment":
        return False
    return not filename or size <= _LOGO_MAX


def _encoded(part: Message) -> bool:
    return str(part.get("content-transfer-encoding", "")).strip().lower() in ("base64", "quoted-printable")


def _decoded_body(part: Message) -> bytes:
    raw = part.as_bytes()
    cut = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=len(raw))
    body = raw[cut:].strip()
    if str(part.get("content-transfer-encoding")).strip().lower() == "base64":
        return base64.b64decode(re.sub(rb"[^A-Za-z0-9+/]", b"", body) + b"==", validate=False)
    return quopri.decodestring(body)


def _filename(part: Message) -> str:
    """The attachment's name as clients show it: Content-Disposition `filename=` (RFC 2231
    `filename*=` continuations and charsets, and RFC 2047 encoded words, which policy.default
    decodes), else `name=` on Content-Type."""
    try:
        name = part.get_filename()
    except Exception:
        return ""
    return " ".join(str(name).split()) if name else ""


def _type_name(part: Message) -> str:
    try:
        name = part.get_param("name")
    except Exception:
        return ""
    if isinstance(name, tuple):  # an RFC 2231 value the header object left undecoded
        name = email.utils.collapse_rfc2231_value(name)
    return " ".join(str(name).split()) if name else ""


def _size(part: Message) -> int:
    try:
        return len(part.as_bytes())
    except Exception:
        return 0


def extract_message(sink: Sink, data: bytes) -> None:
    Walker(sink).message(parse(data), (), 0, top=True)


def extract_attached_message(sink: Sink, data: bytes, path: Path, depth: int) -> None:
    """An .eml (or message/rfc822 sent as octet-stream) inside an attachment or archive."""
    Walker(sink).message(parse(data), path, depth)
