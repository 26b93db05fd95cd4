"""The upstream side: one lockstep transaction per client transaction, and one-shot `deliver`.

Lockstep (Postfix's before-queue proxy): MAIL and each RCPT go upstream as the client sends
them, so the upstream's verdict on a recipient reaches the client at RCPT time; DATA goes up
only after our decision. Connections come from the shared pool and go back to it between
transactions (RSET after an abandoned one), so connection set-up does not dominate.
`deliver` is the one-shot form the outbox uses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import aiosmtplib

from mailguard.metrics import UPSTREAM_ERRORS
from mailguard.upstream.connections import UpstreamPool
from mailguard.upstream.failures import UpstreamError, UpstreamPermanentError, UpstreamTemporaryError

log = logging.getLogger(__name__)


class Reply(NamedTuple):
    code: int
    message: str

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    def line(self) -> str:
        """The reply as our server passes it on: multi-line kept, printable ASCII only."""
        lines = [_printable(line) for line in self.message.splitlines()] or [""]
        head = [f"{self.code}-{line}".rstrip() for line in lines[:-1]]
        return "\r\n".join([*head, f"{self.code} {lines[-1]}".rstrip()])


def _printable(text: str) -> str:
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)[:500]


@dataclass
class DeliveryResult:
    """What the upstream said: per accepted and refused recipient, and to the message."""

    accepted: dict[str, Reply] = field(default_factory=dict)
    refused: dict[str, Reply] = field(default_factory=dict)
    reply: Reply | None = None  # the reply to the end of data (None if nothing was sent)


UTF8_UNAVAILABLE = Reply(553, "5.6.7 SMTPUTF8 addresses are not supported by the next hop")
_EXTENSION_OF = {"BODY": "8bitmime", "SMTPUTF8": "smtputf8", "SIZE": "size"}


def _address(addr: str) -> bytes:
    return b"<" + addr.encode("utf-8") + b">"


class UpstreamTransaction:
    """One upstream mail transaction. Every method raises `UpstreamTemporaryError` when the
    upstream cannot be reached or drops; refusals come back as `Reply`s."""

    def __init__(self, pool: UpstreamPool) -> None:
        self.pool = pool
        self._smtp: aiosmtplib.SMTP | None = None
        self.extensions: dict[str, str] = {}
        self.utf8 = False  # SMTPUTF8 in effect for this transaction

    @property
    def open(self) -> bool:
        return self._smtp is not None

    async def mail(self, sender: str, options: Sequence[str] = ()) -> Reply:
        """Begin: take a connection and send MAIL FROM (a reused connection that turns out to be
        dead is replaced once). Options the upstream does not offer are left out."""
        pool = self.pool
        smtp, reused = await pool.acquire()
        while True:
            self._smtp = smtp
            self.extensions = dict(smtp.esmtp_extensions)
            wanted = self._filter(options)
            if not self.utf8 and not sender.isascii():
                await self.abort()
                return UTF8_UNAVAILABLE
            try:
                reply = await self._command(b"MAIL", b"FROM:" + _address(sender), *_opts(wanted))
            except UpstreamTemporaryError:
                if not reused:
                    raise
                smtp, reused = await pool.connect(), False
                continue
            if not reply.ok:
                await self.abort()
            return reply

    def _filter(self, options: Sequence[str]) -> list[str]:
        """The MAIL parameters the upstream understands (notes whether SMTPUTF8 is in effect)."""
        kept = []
        self.utf8 = False
        for option in options:
            name = option.partition("=")[0].upper()
            extension = _EXTENSION_OF.get(name)
            if extension is None or extension in self.extensions:
                kept.append(option)
                self.utf8 = self.utf8 or name == "SMTPUTF8"
        return kept

    async def rcpt(self, recipient: str, options: Sequence[str] = ()) -> Reply:
        return await self._command(b"RCPT", b"TO:" + _address(recipient), *_opts(options))

    async def data(self, data: bytes) -> Reply:
        """Send the message; the connection goes back to the pool whatever the reply."""
        smtp = self._require()
        try:
            response = await smtp.data(data)
            reply = Reply(response.code, response.message)
        except aiosmtplib.SMTPDataError as exc:  # a refusal of DATA or of the message: relay it
            # A refused DATA *command* leaves the upstream transaction open (MAIL and RCPT still
            # stand): RSET before the connection is reused, or the next message on it gets
            # "503 nested MAIL" — a permanent failure for an innocent sender.
            await self.abort()
            return Reply(exc.code, exc.message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._drop()
            raise _lost(exc, "data") from exc
        self._smtp = None
        if reply.code == 421 or not smtp.is_connected:
            smtp.close()
        else:
            self.pool.release(smtp)
        return reply

    async def abort(self) -> None:
        """Abandon the transaction: RSET and hand the connection back (or close it)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            response = await smtp.rset(timeout=min(self.pool.settings.upstream_timeout, 10.0))
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            smtp.close()
            return
        if response.code == 250:
            self.pool.release(smtp)
        else:
            smtp.close()

    def _require(self) -> aiosmtplib.SMTP:
        if self._smtp is None:
            raise UpstreamTemporaryError("no upstream transaction open", kind="protocol")
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    async def _command(self, *args: bytes) -> Reply:
        smtp = self._require()
        try:
            response = await smtp.execute_command(*args)
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._drop()
            raise _lost(exc, args[0].decode().lower()) from exc
        if response.code == 421:  # the upstream is closing: this connection is done
            self._drop()
        return Reply(response.code, response.message)


def _opts(options: Sequence[str]) -> list[bytes]:
    return [o.encode("ascii") for o in options]


def _lost(exc: BaseException, step: str) -> UpstreamTemporaryError:
    kind = "timeout" if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError) else "disconnect"
    return UpstreamTemporaryError(f"upstream {kind} at {step.upper()}", kind=kind)


def count_error(error: UpstreamError) -> None:
    UPSTREAM_ERRORS.labels(kind=error.kind).inc()


async def deliver(pool: UpstreamPool, mail_from: str, rcpts: Sequence[str], data: bytes) -> DeliveryResult:
    """Deliver one message upstream now (quarantine release, sender notices).

    Uses the runtime's pool (the relay's TLS and AUTH settings). Returns per-recipient results when at least
    one recipient was accepted and the message was taken (check `refused`). Raises
    `UpstreamTemporaryError` (retry later: unreachable, dropped, 4xx) or `UpstreamPermanentError`
    (5xx to MAIL, to every recipient, or to the message).
    """
    txn = UpstreamTransaction(pool)
    result = DeliveryResult()
    try:
        options = [] if _ascii(mail_from, rcpts) else ["SMTPUTF8"]
        if not data.isascii():
            options.append("BODY=8BITMIME")
        reply = await txn.mail(mail_from, options)
        if not reply.ok:
            raise _refusal(reply, "MAIL")
        for rcpt in rcpts:
            reply = await txn.rcpt(rcpt)
            (result.accepted if reply.ok else result.refused)[rcpt] = reply
        if not result.accepted:
            await txn.abort()
            temporary = any(r.code < 500 for r in result.refused.values())
            error_type = UpstreamTemporaryError if temporary else UpstreamPermanentError
            raise error_type("upstream refused every recipient", kind="refused", code=reply.code)
        result.reply = await txn.data(data)
        if not result.reply.ok:
            raise _refusal(result.reply, "DATA")
    except UpstreamError as exc:
        await txn.abort()
        count_error(exc)
        log.warning("deliver failed: %s", exc)
        raise
    return result


def _ascii(mail_from: str, rcpts: Sequence[str]) -> bool:
    return mail_from.isascii() and all(r.isascii() for r in rcpts)


def _refusal(reply: Reply, step: str) -> UpstreamError:
    error_type = UpstreamTemporaryError if reply.code < 500 else UpstreamPermanentError
    return error_type(f"upstream refused {step}: {reply.code}", kind="refused", code=reply.code)
