"""A recording upstream with more faults than `support.upstream` offers, and a restart.

Extra behaviours (all changeable while it runs): slow MAIL / RCPT replies, a refusal of the
DATA command itself (before 354), a connection dropped in the middle of the data. `restart()`
drops every open connection and listens again on the same port, like an MTA restarting;
`stop()` leaves the port closed (upstream down) until `start()`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from mailguard.relay.recorder import start_recorder

from .upstream import Behaviour, MisbehavingHandler, RecordingUpstream, _CountingSMTP


@dataclass
class Faults(Behaviour):
    mail_delay: float = 0.0  # seconds before answering MAIL FROM
    rcpt_delay: float = 0.0  # seconds before answering RCPT TO
    data_command_reply: str | None = None  # answer DATA with this instead of 354
    drop_mid_data: bool = False  # after 354, read a little of the data and drop the connection

    def clear(self) -> None:
        """Behave again (keeps recorded messages)."""
        fresh = Faults()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))


class FaultHandler(MisbehavingHandler):
    behaviour: Faults

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.behaviour.mail_delay:
            await asyncio.sleep(self.behaviour.mail_delay)
        return await super().handle_MAIL(server, session, envelope, address, options)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.behaviour.rcpt_delay:
            await asyncio.sleep(self.behaviour.rcpt_delay)
        return await super().handle_RCPT(server, session, envelope, address, options)


class FaultySMTP(_CountingSMTP):
    async def smtp_DATA(self, arg: str) -> None:
        faults: Faults = self.event_handler.behaviour
        if faults.data_command_reply and self.envelope.rcpt_tos:
            await self.push(faults.data_command_reply)
            return
        if faults.drop_mid_data and self.envelope.rcpt_tos:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.read(1)  # some of the data is in
            assert self.transport is not None
            self.transport.abort()
            return
        await super().smtp_DATA(arg)


class FaultyUpstream(RecordingUpstream):
    def __init__(self, faults: Faults | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.behaviour = faults or Faults()
        self.handler = FaultHandler(self.behaviour)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        self._server = await start_recorder(
            self.handler, host, port or self.port, smtp_class=FaultySMTP, **self._kwargs
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Close the port and every open connection (RecordingUpstream.stop keeps those)."""
        if self._server is not None:
            self._server.close()
            self.drop_connections(abort=False)
            await self._server.wait_closed()
            self._server = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()
