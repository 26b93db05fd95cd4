"""Random SMTP command streams (hypothesis) and the oracle they are judged by.

A stream is a list of byte chunks written one after another on one connection: real commands
with hostile arguments (control bytes, address tricks, long strings, odd parameters), odd line
ends, DATA sections with smuggling vectors, pipelined groups and plain junk. The oracle
(`play`): the relay answers (or closes the connection), never with aiosmtpd's exception reply
(`500 Error: (Exc) ...`), never sits silent, and still serves the next client.
Exceptions our code turned into 451s are caught separately from the relay's log (`ErrorLog`).
"""

from __future__ import annotations

import logging
import re
import socket
import time
from dataclasses import dataclass, field

from hypothesis import strategies as st

EXCEPTION_REPLY = re.compile(r"^\d{3}[ -](Error: \(|Error: Cannot describe)", re.MULTILINE)
CLOSING = ("221", "421", "502")

_ADDRESSES = [
    "a@example.com", "b@example.org", "", "postmaster", '"q u@o"@example.org', "@a,@b:c@example.org",
    "x%y@example.org", "h!u", "u@[192.0.2.1]", "u@[IPv6:::1]", "ü@exämple.org", "a@b@c", "<a@b>",
    "a\x00b@example.org", "a\rRCPT TO:<e@x>@d", "a\nb@c", "\x1b[31m@x", "a" * 300 + "@example.org",
]  # fmt: skip
_PARAMS = [
    "", " SIZE=100", " SIZE=99999999999999999999", " SIZE=-1", " BODY=8BITMIME", " BODY=BINARYMIME",
    " SMTPUTF8", " RET=HDRS", " ENVID=x", " NOTIFY=NEVER", " AUTH=<>", " X=" + "y" * 600, " =", " SIZE",
]  # fmt: skip
_VERBS = [
    "HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS",
    "AUTH", "BDAT", "ETRN", "TURN", "XCLIENT", "XFORWARD", "PROXY", "mail", "Ehlo", "", "\x00", "GET",
]  # fmt: skip
_ENDS = [b"\r\n", b"\r\n", b"\r\n", b"\n", b"\r", b"\r\r\n", b"\n\r", b""]
_SMUGGLE = [b"\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\r", b"\r.\r", b"\r\n\x00.\r\n", b"\r\n.\x00\r\n"]


def _text(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=max_size)


@st.composite
def command(draw: st.DrawFn) -> bytes:
    verb = draw(st.sampled_from(_VERBS))
    if verb.upper() in ("MAIL", "RCPT"):
        keyword = "FROM:" if verb.upper() == "MAIL" else "TO:"
        address = draw(st.one_of(st.sampled_from(_ADDRESSES), _text()))
        bracket = draw(st.sampled_from(["<{}>", "{}", "<{}", " <{}>", "<{}>>"]))
        arg = keyword + bracket.format(address) + draw(st.sampled_from(_PARAMS))
    elif verb.upper() == "AUTH":
        arg = draw(st.sampled_from(["PLAIN", "LOGIN", "PLAIN AHVzZXIAcGFzcw==", "CRAM-MD5", "PLAIN =", "X"]))
    elif verb.upper() in ("HELO", "EHLO"):
        arg = draw(st.one_of(st.sampled_from(["client.test", "[127.0.0.1]", "", "x" * 600]), _text()))
    else:
        arg = draw(st.one_of(st.just(""), _text(20)))
    line = (verb + (" " + arg if arg else "")).encode("utf-8", "surrogateescape")
    return line + draw(st.sampled_from(_ENDS))


@st.composite
def data_section(draw: st.DrawFn) -> bytes:
    """DATA, then content with smuggling vectors and dots, usually properly ended."""
    parts = [b"DATA\r\n"]
    for _ in range(draw(st.integers(0, 6))):
        parts.append(
            draw(
                st.one_of(
                    st.sampled_from(_SMUGGLE),
                    st.sampled_from([b".", b"..", b"\r\n..\r\n", b"MAIL FROM:<e@x>\r\n", b"\x00", b"\xff\xfe"]),
                    st.binary(max_size=60),
                    _text(60).map(lambda s: s.encode("utf-8", "surrogateescape") + b"\r\n"),
                )
            )
        )
    parts.append(draw(st.sampled_from([b"\r\n.\r\n", b"\r\n.\r\n", b".\r\n", b""])))
    return b"".join(parts)


@st.composite
def transaction(draw: st.DrawFn) -> bytes:
    """A mostly well-formed transaction, pipelined in one chunk (the fuzz reaches DATA often)."""
    rcpts = draw(st.lists(st.sampled_from(_ADDRESSES[:8]), min_size=1, max_size=3))
    head = b"MAIL FROM:<a@example.com>" + draw(st.sampled_from(_PARAMS[:7])).encode() + b"\r\n"
    body = b"".join(b"RCPT TO:<" + r.encode("utf-8") + b">\r\n" for r in rcpts)
    return head + body + draw(data_section())


def streams() -> st.SearchStrategy[list[bytes]]:
    chunk = st.one_of(command(), command(), transaction(), data_section(), st.binary(min_size=1, max_size=80))
    return st.lists(chunk, min_size=1, max_size=12).map(lambda cs: [b"EHLO fuzz.test\r\n", *cs])


@dataclass
class Outcome:
    replies: list[str] = field(default_factory=list)
    closed: bool = False
    answered: bool = False  # the final NOOP got its 250, or the server closed after saying why

    def problem(self) -> str | None:
        text = "\n".join(self.replies)
        if EXCEPTION_REPLY.search(text):
            return "exception reply: " + EXCEPTION_REPLY.search(text).group(0)  # type: ignore[union-attr]
        if not self.answered and not self.closed:
            return "no answer (silent session)"
        # Closed without a closing reply in hand is not a failure: when the relay hangs up
        # (after 502 for a bogus-command flood) with our marker still unread, the kernel sends
        # a reset that can overtake its last reply.
        return None


def play(host: str, port: int, chunks: list[bytes], timeout: float = 10.0) -> Outcome:
    """Write the chunks, then end any DATA and ask NOOP; read every reply until the NOOP's 250
    arrives or the server closes (after a 221/421/502)."""
    outcome = Outcome()
    marker = b"\r\n.\r\nRSET\r\nNOOP\r\n"
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            for chunk in chunks:
                sock.sendall(chunk)
            sock.sendall(marker)
        except OSError:
            pass  # closed on us: the replies say whether that was fair
        buffer = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got = sock.recv(65536)
            except TimeoutError:
                break  # silence: the oracle's failure
            except OSError:  # reset by the server: as good as closed
                got = b""
            if not got:
                outcome.closed = True
                break
            buffer += got
            # RSET and NOOP both answer "250 OK": done when that is the last thing said.
            if buffer.endswith(b"250 OK\r\n") and _settled(sock):
                outcome.answered = True
                break
    outcome.replies = buffer.decode("utf-8", "replace").splitlines()
    if outcome.closed and outcome.replies and outcome.replies[-1][:3] in CLOSING:
        outcome.answered = True
    return outcome


def _settled(sock: socket.socket, wait: float = 0.05) -> bool:
    """Nothing more is coming right now (the 250 OK really was the last reply)."""
    sock.settimeout(wait)
    try:
        more = sock.recv(1, socket.MSG_PEEK)
    except (TimeoutError, BlockingIOError):
        return True
    except OSError:
        return True
    finally:
        sock.settimeout(10)
    return not more


class ErrorLog(logging.Handler):
    """Collects ERROR records of the relay (an exception turned into a 451 is still a bug)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> ErrorLog:
        logging.getLogger("mailguard").addHandler(self)
        logging.getLogger("mail.log").addHandler(self)  # aiosmtpd's own logger
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("mailguard").removeHandler(self)
        logging.getLogger("mail.log").removeHandler(self)

    def lines(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" + (f" [{r.exc_info[0].__name__}]" if r.exc_info else "")
                for r in self.records]  # fmt: skip
