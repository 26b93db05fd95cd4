"""aiosmtpd hooks (found by name): who may relay, lockstep MAIL/RCPT, end of DATA."""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.smtp import Envelope as SMTPEnvelope

from mailguard.envelope import Envelope
from mailguard.organisation.mailbox import embedded_destination
from mailguard.relay import replies
from mailguard.relay.admission import in_networks
from mailguard.relay.session.finish import finish
from mailguard.relay.shared import RelayContext
from mailguard.relay.smtp import RelaySession
from mailguard.relay.trace import new_transaction_id
from mailguard.upstream.failures import UpstreamError
from mailguard.upstream.transaction import UpstreamTransaction, count_error

log = logging.getLogger(__name__)

_NOT_OFFERED = ("250-AUTH",)


class RelayHandler:
    def __init__(self, relay: RelayContext) -> None:
        self.relay = relay

    def _may_relay(self, session: RelaySession) -> bool:
        return session.authenticated or in_networks(session.client_ip, self.relay.settings.networks)

    async def handle_EHLO(
        self, server: Any, session: RelaySession, envelope: SMTPEnvelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.relay.authenticator is None:
            responses = [r for r in responses if not r.startswith(_NOT_OFFERED)]
        # We read commands in order and answer each in turn, which is all RFC 2920 asks.
        responses.insert(-1, "250-PIPELINING")
        # One write for the whole reply (aiosmtpd sends each line separately): clients that
        # read a multi-line reply with one recv (nmap's smtp library) otherwise fall out of step.
        return ["\r\n".join(responses)]

    async def handle_MAIL(
        self, server: Any, session: RelaySession, envelope: SMTPEnvelope, address: str, options: list[str]
    ) -> str:
        if not self._may_relay(session):
            log.info("%s refused: not in MAILGUARD_CLIENT_NETWORKS and not authenticated", session.client_ip)
            return replies.RELAY_DENIED
        gate = self.relay.tenant_gate
        if gate.applies(session.client_ip, session.authenticated):
            peercert = session.ssl.get("peercert") if session.ssl else None
            if (refusal := gate.mail_refusal(peercert)) is not None:
                log.info(
                    "%s refused: no accepted client certificate (MAILGUARD_TLS_CLIENT_CERT_NAMES)", session.client_ip
                )
                return refusal
        sender = "" if address == "<>" else address
        session.transaction_id = new_transaction_id()
        upstream = UpstreamTransaction(self.relay.runtime.upstream)
        try:
            reply = await upstream.mail(sender, options)
        except UpstreamError as exc:
            count_error(exc)
            log.warning("transaction %s: %s", session.transaction_id, exc)
            return replies.UPSTREAM_UNAVAILABLE
        if reply.ok:
            envelope.mail_from = address
            envelope.mail_options.extend(options)
            session.upstream = upstream
        else:
            log.info("transaction %s: upstream refused MAIL with %d", session.transaction_id, reply.code)
        return reply.line()

    async def handle_RCPT(
        self, server: Any, session: RelaySession, envelope: SMTPEnvelope, address: str, options: list[str]
    ) -> str:
        if not self._may_relay(session):
            return replies.RELAY_DENIED
        if len(envelope.rcpt_tos) >= self.relay.settings.max_recipients:
            return replies.TOO_MANY_RECIPIENTS
        if session.source_routed or (
            self.relay.settings.embedded_route == "refuse" and embedded_destination(address) is not None
        ):  # a source route hides its first hop: refused whatever the setting
            log.info("transaction %s: recipient hides another destination: refused", session.transaction_id)
            return replies.EMBEDDED_ROUTE
        upstream = session.upstream
        if upstream is None or not upstream.open:
            return replies.UPSTREAM_LOST
        try:
            reply = await upstream.rcpt(address, options)
        except UpstreamError as exc:
            count_error(exc)
            log.warning("transaction %s: %s", session.transaction_id, exc)
            session.upstream = None
            return replies.UPSTREAM_LOST
        if reply.ok:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
        return reply.line()

    async def handle_DATA(self, server: Any, session: RelaySession, envelope: SMTPEnvelope) -> str:
        upstream, session.upstream = session.upstream, None
        assert isinstance(envelope.content, bytes)
        gate = self.relay.tenant_gate
        if gate.applies(session.client_ip, session.authenticated):
            if (refusal := gate.data_refusal(envelope.content)) is not None:
                log.info("transaction %s refused: not from an accepted tenant", session.transaction_id)
                if upstream is not None and upstream.open:
                    await upstream.abort()
                return refusal
        mail_from = envelope.mail_from or ""
        ours = Envelope(
            mail_from="" if mail_from == "<>" else mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            client_ip=session.client_ip,
            helo=session.host_name or "",
            auth_user=str(session.auth_data) if session.authenticated else None,
            mail_options=tuple(envelope.mail_options),
        )
        try:
            return await finish(
                self.relay,
                ours,
                envelope.content,
                upstream,
                transaction_id=session.transaction_id,
                tls=session.ssl is not None,
                esmtp=session.extended_smtp,
            )
        finally:
            if upstream is not None and upstream.open:  # not sent: never leave it half-done
                await upstream.abort()
