"""The aiosmtpd protocol, hardened for a relay.

What we change in aiosmtpd's `SMTP` (hooks by name stay aiosmtpd's; the handler has them):
- DATA is read by `dataread` (CRLF.CRLF only, bare LF ends a line, no line-length refusal),
  normalised or refused (`MAILGUARD_BARE_NEWLINE`), size-checked (552), and held against the
  process's in-flight byte budget (`MAILGUARD_MAX_INFLIGHT_BYTES`; 452 4.3.1 when spent);
- control characters in MAIL/RCPT arguments: 501 5.1.3 (aiosmtpd accepts `<b\\x00c@d>`);
- every exception is a 451 with a log line, never aiosmtpd's `500 Error: (Exc) detail`;
- connection caps, a whole-session time limit, and a graceful close for shutdown;
- an abandoned transaction (RSET, new EHLO, lost client) is aborted upstream.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Session

from mailguard.relay import class_tables, replies
from mailguard.relay.admission import in_networks
from mailguard.relay.dataread import (
    DataTooLarge,
    NoRoom,
    has_bare_line_ends,
    normalise_line_ends,
    read_data,
    unstuff,
)
from mailguard.relay.shared import RelayContext
from mailguard.relay.smtp_auth import PendingCheck
from mailguard.settings import BareNewline
from mailguard.upstream.transaction import UpstreamTransaction

log = logging.getLogger(__name__)

QUIT_WAIT = 2.0  # shutting down: how long a client that just finished may take to say QUIT
_CONTROL = frozenset(chr(c) for c in [*range(32), 127])
_SOURCE_ROUTE = re.compile(r"\s*TO:\s*<\s*@[^>]*:", re.IGNORECASE)  # RFC 5321 A-d-l: <@hop1,@hop2:user@domain>
# <dot-atom@domain> followed by nothing or by a space: read without the email package's header
# parser (a tenth of the loop's time per message); anything else goes to aiosmtpd's reading.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_PATH = re.compile(rf"<({_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>(?=$|[ \t])")

class_tables.install()  # aiosmtpd's per-connection AUTH table and hook signature, once per class


class RelaySession(Session):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.upstream: UpstreamTransaction | None = None
        self.transaction_id = ""
        self.auth_failures = 0  # credentials the Authenticator refused in this session
        self.source_routed = False  # the RCPT being handled had a source route (aiosmtpd drops it)

    @property
    def client_ip(self) -> str:
        peer = self.peer
        return str(peer[0]) if isinstance(peer, tuple) and peer else ""


class RelaySMTP(SMTP):
    def __init__(self, handler: Any, relay: RelayContext, **kwargs: Any) -> None:
        settings = relay.settings
        super().__init__(
            handler,
            data_size_limit=settings.max_message_size,
            enable_SMTPUTF8=True,
            hostname=relay.hostname,
            ident="mailguard",
            tls_context=relay.tls_context,
            timeout=settings.idle_timeout,
            auth_require_tls=True,
            **kwargs,
        )
        self.relay = relay
        self._busy = False
        self._finishing = False  # end-of-data work owns the upstream transaction
        self._admitted_ip: str | None = None
        self._outsider = False  # admitted from outside MAILGUARD_CLIENT_NETWORKS, not authenticated
        # Track when a command is being handled so shutdown closes only idle sessions.
        self._smtp_methods = {name: self._tracked(name, method) for name, method in self._smtp_methods.items()}

    # --- session lifecycle ---

    def _create_session(self) -> RelaySession:
        return RelaySession(self.loop)

    def relay_session(self) -> RelaySession:  # a method: aiosmtpd inspects (calls) our properties
        assert isinstance(self.session, RelaySession)
        return self.session

    async def _handle_client(self) -> None:
        ip = self.relay_session().client_ip
        self._outsider = not in_networks(ip, self.relay.settings.networks)
        if self.relay.closing or not self.relay.limiter.admit(ip, self._outsider):
            await self.push(replies.SHUTTING_DOWN if self.relay.closing else replies.TOO_MANY_CONNECTIONS)
            self._close()
            return
        if self._outsider:  # dropped quickly when it does nothing (a zombie, not a client)
            self._timeout_duration = min(self._timeout_duration, self.relay.settings.outsider_idle_timeout)
            self._reset_timeout()
        self._admitted_ip = ip
        self.relay.sessions.add(self)
        expire = self.loop.call_later(self.relay.settings.session_timeout, self._expire)
        try:
            await super()._handle_client()
        finally:
            expire.cancel()
            self._forget()

    def _forget(self) -> None:
        if self._admitted_ip is not None:
            self.relay.limiter.release(self._admitted_ip, self._outsider)
            self._admitted_ip = None
        self.relay.sessions.discard(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._abort_soon()
        self._forget()
        super().connection_lost(error)

    def _expire(self) -> None:
        log.info("%s session time limit reached", self.relay_session().client_ip)
        self.close_now(replies.SESSION_EXPIRED)

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def close_now(self, reply: str) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._writer.write(reply.encode() + b"\r\n")
        self._close()

    def in_transaction(self) -> bool:
        return self.relay_session().upstream is not None or bool(self.envelope and self.envelope.mail_from)

    def request_close(self) -> None:
        """Shutdown: close now when idle, else once the current transaction is over."""
        if not self._busy and not self.in_transaction():
            self.close_now(replies.SHUTTING_DOWN)

    def _tracked(self, name: str, method: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        """Wrap a command. While shutting down, a session between transactions may still QUIT
        politely (most clients do right after the reply to "."); anything else gets 421."""

        async def run(arg: Any) -> None:
            if self.relay.closing and name != "QUIT" and not self.in_transaction():
                self.close_now(replies.SHUTTING_DOWN)
                return
            self._busy = True
            self._pause_idle()  # the idle limit is the client's, never the relay's time
            try:
                await method(arg)
            finally:
                self._busy = False
                self._resume_idle()
            if self.relay.closing and not self.in_transaction():
                self.loop.call_later(QUIT_WAIT, self.close_now, replies.SHUTTING_DOWN)

        # aiosmtpd's __smtp_syntax__ marks, for HELP (functools.wraps costs 7x more, per connection)
        run.__dict__.update(getattr(method, "__dict__", {}))
        return run

    def _pause_idle(self) -> None:
        if self._timeout_handle is not None:
            self._timeout_handle.cancel()

    def _resume_idle(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._reset_timeout()

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's reading of a MAIL/RCPT path, without its parser for the plain form."""
        plain = _PLAIN_PATH.match(arg)
        rest = arg[plain.end() :].lstrip(" \t") if plain else ""  # the parser drops the blanks after ">"
        if (
            plain is None
            or rest.startswith("(")  # a comment: the parser drops it too
            or (self.local_part_limit and plain[1].rindex("@") > self.local_part_limit)
        ):
            return super()._getaddr(arg)
        return plain[1], rest

    # --- transaction state ---

    async def _abort_upstream(self) -> None:
        session = self.relay_session()
        upstream, session.upstream = session.upstream, None
        if upstream is not None:
            await upstream.abort()

    def _abort_soon(self) -> None:
        if self.session is not None and self.relay_session().upstream is not None and not self._finishing:
            self.relay.spawn(self._abort_upstream())

    async def smtp_RSET(self, arg: str) -> None:
        await self._abort_upstream()
        await super().smtp_RSET(arg)

    # A HELO/EHLO resets the transaction only when it is well formed: one without a hostname
    # gets 501 and leaves MAIL in force, so the upstream transaction must stay open with it.
    async def smtp_HELO(self, hostname: str) -> None:
        if hostname:
            await self._abort_upstream()
        await super().smtp_HELO(hostname)

    async def smtp_EHLO(self, hostname: str) -> None:
        if hostname:
            await self._abort_upstream()
        await super().smtp_EHLO(hostname)

    async def smtp_MAIL(self, arg: str | None) -> None:
        if arg and not _CONTROL.isdisjoint(arg):
            await self.push(replies.BAD_ADDRESS_CHARS)
            return
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str | None) -> None:
        if arg and not _CONTROL.isdisjoint(arg):
            await self.push(replies.BAD_ADDRESS_CHARS)
            return
        self.relay_session().source_routed = bool(arg and _SOURCE_ROUTE.match(arg))  # aiosmtpd drops it
        await super().smtp_RCPT(arg)

    async def smtp_AUTH(self, arg: str) -> None:
        """aiosmtpd's AUTH behind the per-address brute-force throttle (`AuthThrottle`): a failed
        check is counted and answered slowly; past the limit the address gets 421 4.7.0."""
        throttle, session = self.relay.auth_throttle, self.relay_session()
        ip = session.client_ip
        if throttle.blocked(ip):  # refused before any password is checked: costs no PBKDF2
            self.close_now(replies.AUTH_THROTTLED)
            return
        checked_before = session.auth_failures
        await super().smtp_AUTH(arg)
        if session.authenticated:
            throttle.succeeded(ip)
            if self._outsider and self._admitted_ip is not None:  # a user now: the clients' slots and timeout
                self.relay.limiter.promote(self._admitted_ip)
                self._outsider = False
                self._timeout_duration = self.relay.settings.idle_timeout
        elif session.auth_failures > checked_before:  # the Authenticator refused the credentials
            # The session reads no next command until this returns: one guess per delay.
            await asyncio.sleep(throttle.failed(ip))
            if throttle.blocked(ip):
                self.close_now(replies.AUTH_THROTTLED)

    # aiosmtpd's auth_PLAIN/auth_LOGIN parse the credentials and call `_authenticate`
    # synchronously; our check is async (PBKDF2 in a thread, see auth.py), so `_authenticate`
    # only notes what to check and these two await the check. Unresolved, it would be a refusal.
    def _authenticate(self, mechanism: str, auth_data: Any) -> AuthResult:
        return AuthResult(success=False, handled=False, auth_data=PendingCheck(mechanism, auth_data))

    async def auth_PLAIN(self, server: Any, args: list[str]) -> AuthResult:
        return await self._check(await super().auth_PLAIN(server, args))

    async def auth_LOGIN(self, server: Any, args: list[str]) -> AuthResult:
        return await self._check(await super().auth_LOGIN(server, args))

    async def _check(self, result: AuthResult) -> AuthResult:
        pending = result.auth_data
        if not isinstance(pending, PendingCheck) or self.relay.authenticator is None:
            return result
        return await self.relay.authenticator.check(self.session, pending.mechanism, pending.credentials)

    async def handle_exception(self, error: Exception) -> str:
        log.error(
            "transaction %s: internal error (%s)",
            self.relay_session().transaction_id or "-",
            type(error).__name__,
            exc_info=error,
        )
        self._abort_soon()
        return replies.TEMPFAIL

    # --- DATA ---

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 5.5.1 Error: need RCPT command")
            return
        if arg:
            await self.push("501 5.5.4 Syntax: DATA")
            return
        # Bytes are reserved as they arrive, never on a SIZE= promise: three sessions declaring
        # 100 MB and sending nothing must not make every other DATA wait.
        reservation = self.relay.inflight.reservation()
        if self.relay.inflight.spent:
            self._no_room()
            await self._end_transaction(replies.NO_ROOM)
            return
        try:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            received = await self._receive(reservation.grow_to)
            self._pause_idle()  # read to the end: from here on the relay is the one working
        except BaseException:  # the client went away (or we were cancelled): nothing is kept
            reservation.release()
            raise
        if isinstance(received, str):  # refused: the bytes are back before the client hears it
            reservation.release()
            await self._end_transaction(received)
            return
        self.envelope.content = self.envelope.original_content = received
        # The end-of-data work runs in its own task: a client that disconnects or times out
        # must not cancel it halfway through an upstream DATA or a quarantine write.
        # The handler ends the upstream transaction whatever happens (sent or aborted), and the
        # message's bytes stay reserved until then, whether or not the session is still there.
        self._finishing = True
        task = self.relay.spawn(self._call_handler_hook("DATA"))
        task.add_done_callback(lambda _: reservation.release())
        try:
            status = await asyncio.shield(task)
        finally:
            self._finishing = False
            self.relay_session().upstream = None
        self._set_post_data_state()
        await self.push(status)

    async def _receive(self, reserve: Callable[[int], bool]) -> bytes | str:
        """The message as it goes to the decider (unstuffed, line ends normalised), or the
        refusal to answer once the data has been read to its end."""
        limit = self.relay.settings.max_message_size
        try:
            read = read_data(self._reader, limit + limit // 16 + 1024, reserve, progress=self._resume_idle)
            content = unstuff(await read)
        except DataTooLarge:
            return replies.MESSAGE_TOO_BIG
        except NoRoom:
            self._no_room()
            return replies.NO_ROOM
        if len(content) > limit:
            return replies.MESSAGE_TOO_BIG
        if has_bare_line_ends(content):
            if self.relay.settings.bare_newline is BareNewline.REJECT:
                return replies.BARE_NEWLINE
            content = normalise_line_ends(content)
        return content

    def _no_room(self) -> None:
        budget = self.relay.inflight
        log.warning(
            "transaction %s: in-flight message bytes at the limit (%d of %d), answered 452",
            self.relay_session().transaction_id or "-",
            budget.used,
            budget.capacity,
        )

    async def _end_transaction(self, reply: str) -> None:
        await self._abort_upstream()
        self._set_post_data_state()
        await self.push(reply)
