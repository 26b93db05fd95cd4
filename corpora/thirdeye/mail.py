"""MIME assembly with pinned boundaries, ids and dates, so the corpus is byte-for-byte repeatable."""

from __future__ import annotations

import email.policy
import quopri
from email.message import EmailMessage
from email.utils import formataddr

from corpora.builders import pin_boundaries

INTERNAL = "council.example.gov.uk"
POLICY = email.policy.SMTP.clone(max_line_length=998)

MIME_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "pdf": "application/pdf",
    "rtf": "application/rtf",
    "zip": "application/zip",
    "csv": "text/csv",
    "ics": "text/calendar",
    "eml": "application/octet-stream",
}


class Mail:
    def __init__(
        self,
        n: int,
        sender: str,
        to: list[str],
        subject: str,
        *,
        cc: list[str] | None = None,
        raw_to: str | None = None,
    ) -> None:
        self.n = n
        self.msg = EmailMessage(policy=POLICY)
        self.msg["From"] = sender
        self.msg["To"] = raw_to if raw_to is not None else ", ".join(to)
        if cc:
            self.msg["Cc"] = ", ".join(cc)
        self.msg["Subject"] = subject
        self.msg["Date"] = f"Mon, 02 Nov 2026 {9 + n % 8:02d}:{n % 60:02d}:00 +0000"
        self.msg["Message-ID"] = f"<thirdeye.{n:04d}@{INTERNAL}>"
        self._body_set = False

    def text(self, body: str, cte: str = "8bit") -> Mail:
        self.msg.set_content(body, cte=cte if any(ord(c) > 127 for c in body) or cte != "8bit" else "7bit")
        self._body_set = True
        return self

    def raw_qp(self, body: str, soft_breaks_in: str) -> Mail:
        """Quoted-printable with soft line breaks placed inside `soft_breaks_in`."""
        enc = quopri.encodestring(body.encode("utf-8")).decode("ascii")
        target = quopri.encodestring(soft_breaks_in.encode("utf-8")).decode("ascii").rstrip("\n")
        cut = max(4, len(target) // 2)
        spliced = target[:cut] + "=\n" + target[cut:]
        if target[cut - 1] == "=" or target[cut - 2] == "=":
            spliced = target
        self.msg.set_content(enc.replace(target, spliced, 1), cte="7bit")
        del self.msg["Content-Transfer-Encoding"]
        self.msg["Content-Transfer-Encoding"] = "quoted-printable"
        self.msg.set_param("charset", "utf-8")
        self._body_set = True
        return self

    def html(self, plain: str, html: str) -> Mail:
        self.msg.set_content(plain)
        self.msg.add_alternative(html, subtype="html")
        self._body_set = True
        return self

    def attach(self, data: bytes, filename: str, kind: str | None = None) -> Mail:
        if not self._body_set:
            self.text("Please see the attached.\n")
        kind = kind or filename.rsplit(".", 1)[-1]
        mt = MIME_TYPES.get(kind, "application/octet-stream")
        maintype, subtype = mt.split("/")
        if maintype == "text":
            self.msg.add_attachment(data.decode("utf-8"), subtype=subtype, filename=filename)
        else:
            self.msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        return self

    def attach_calendar(self, ics: str) -> Mail:
        if not self._body_set:
            self.text("You have been invited.\n")
        self.msg.add_attachment(ics, subtype="calendar", filename="invite.ics", params={"method": "REQUEST"})
        return self

    def attach_message(self, inner: Mail) -> Mail:
        if not self._body_set:
            self.text("Forwarding as requested.\n")
        self.msg.add_attachment(inner.build_message(), filename="forwarded.eml")
        return self

    def build_message(self) -> EmailMessage:
        return pin_boundaries(self.msg, lambda k: f"----=_thirdeye_{self.n:04d}_{k}")

    def bytes(self) -> bytes:
        return self.build_message().as_bytes(policy=POLICY)


def person(name: str, addr: str) -> str:
    return formataddr((name, addr))
