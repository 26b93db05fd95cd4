"""One outbound message as Outlook/Exchange would send it, with pinned dates and boundaries."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from corpora.builders import pin_boundaries

from .people import ORG


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x66\x99"))
        + chunk(b"IEND", b"")
    )


class Mail:
    """Builds one outbound message as Outlook/Exchange would send it."""

    def __init__(
        self,
        rng: random.Random,
        n: int,
        frm: tuple[str, str],
        subject: str,
        to: list[tuple[str, str]],
        cc: list[tuple[str, str]] | None = None,
    ) -> None:
        self.rng, self.n = rng, n
        self.msg = EmailMessage()
        self.msg["From"] = formataddr(frm)
        if to:
            self.msg["To"] = ", ".join(formataddr(a) for a in to)
        else:
            self.msg["To"] = "undisclosed-recipients:;"
        if cc:
            self.msg["Cc"] = ", ".join(formataddr(a) for a in cc)
        self.msg["Subject"] = subject
        when = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=37 * n)
        self.msg["Date"] = format_datetime(when)
        self.msg["Message-ID"] = f"<{rng.getrandbits(64):016x}.{n}@{ORG}>"
        self.msg["X-MS-Has-Attach"] = ""
        self.msg["Content-Language"] = "en-GB"

    def body(self, text: str, html: str | None = None, logo: bool = False) -> Mail:
        self.msg.set_content(text, cte="quoted-printable")
        if html is not None:
            self.msg.add_alternative(html, subtype="html", cte="quoted-printable")
            if logo:
                html_part = self.msg.get_payload()[1]
                html_part.add_related(
                    tiny_png(),
                    "image",
                    "png",
                    cid="<logo001@westmere.gov.uk>",
                    filename="image001.png",
                    disposition="inline",
                )
        return self

    def calendar(self, ics: str) -> Mail:
        if not self.msg.is_multipart():
            self.msg.make_alternative()
        self.msg.add_alternative(ics, subtype="calendar", params={"method": "REQUEST"}, cte="base64")
        return self

    def attach(self, data: bytes, filename: str, mime: str) -> Mail:
        maintype, subtype = mime.split("/", 1)
        self.msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        return self

    def bytes(self) -> bytes:
        pin_boundaries(self.msg, lambda i: f"_{i:03d}_{self.n:05d}_{self.rng.getrandbits(48):012x}_")
        return self.msg.as_bytes(policy=SMTP)
